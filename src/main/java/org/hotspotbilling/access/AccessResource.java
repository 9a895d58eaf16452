package org.hotspotbilling.access;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hotspotbilling.tenant.CurrentOwner;
import org.hotspotbilling.tenant.Roles;
import org.hotspotbilling.web.ApiDocumentation;
import org.hotspotbilling.web.QueryParams;

/** An owner's view of who may use a router, and early revocation. */
@Path("/routers/{routerId: \\d+}/access")
@Tag(name = "Access", description = "Devices authorized on a router")
@RolesAllowed(Roles.OWNER)
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
@SecurityRequirementsSet({ @SecurityRequirement(name = ApiDocumentation.API_KEY),
        @SecurityRequirement(name = ApiDocumentation.PRIVATE_KEY) })
public class AccessResource {

    private final AccessService access;
    private final CurrentOwner current;

    public AccessResource(AccessService access, CurrentOwner current) {
        this.access = access;
        this.current = current;
    }

    @GET
    @Operation(summary = "Current grants of a router", description = "Owner. Live grants (not expired, not "
            + "revoked), soonest expiry first; page (from 1), page_size (1–100, default 50).")
    public AccessService.GrantPage list(@PathParam("routerId") long routerId,
            @QueryParam("page") @DefaultValue("1") String page, @QueryParam("page_size") @DefaultValue("50") String size) {
        return access.list(current.id(), routerId, QueryParams.wholeNumber(page, "page"), QueryParams.wholeNumber(size, "page_size"));
    }
}
