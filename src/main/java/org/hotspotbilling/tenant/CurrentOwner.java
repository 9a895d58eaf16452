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

    /** Whether the caller is a captive portal (the public key), not the owner: it sees less. */
    public boolean isPortal() {
        return !identity.hasRole(Roles.OWNER);
    }
}
