package org.hotspotbilling.tenant;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;

/** The owner the current request acts for, whichever way it authenticated. */
@RequestScoped
public class CurrentOwner {

    private final SecurityIdentity identity;

    public CurrentOwner(SecurityIdentity identity) {
        this.identity = identity;
    }

    public long id() {
        Long id = identity.getAttribute(Roles.OWNER_ID_ATTRIBUTE);
        if (id == null) {
            throw new IllegalStateException("No authenticated owner on this request");
        }
        return id;
    }

    /** The request came with the captive portal's public key only (not an owner's token or key pair). */
    public boolean portal() {
        return identity.hasRole(Roles.PORTAL) && !identity.hasRole(Roles.OWNER);
    }
}
