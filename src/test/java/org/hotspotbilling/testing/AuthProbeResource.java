package org.hotspotbilling.testing;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import org.hotspotbilling.tenant.CurrentOwner;
import org.hotspotbilling.tenant.Roles;

import java.util.Map;
import java.util.TreeSet;

/**
 * Test-only endpoint (compiled with the tests, absent from the app) that admits owners and portals and echoes
 * who the caller is: it proves each mechanism yields the right owner and role before real portal endpoints exist.
 */
@Path("/test-probe/whoami")
public class AuthProbeResource {

    private final SecurityIdentity identity;
    private final CurrentOwner current;

    public AuthProbeResource(SecurityIdentity identity, CurrentOwner current) {
        this.identity = identity;
        this.current = current;
    }

    @GET
    @RolesAllowed({ Roles.OWNER, Roles.PORTAL })
    public Map<String, Object> whoami() {
        return Map.of("owner_id", current.id(), "roles", new TreeSet<>(identity.getRoles()));
    }
}
