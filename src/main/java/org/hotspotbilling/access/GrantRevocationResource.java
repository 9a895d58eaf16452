package org.hotspotbilling.access;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hotspotbilling.tenant.CurrentOwner;
import org.hotspotbilling.tenant.Roles;
import org.hotspotbilling.web.ApiDocumentation;

/**
 * Early revocation of one grant. A class of its own with the whole path: nested under AccessResource's class
 * path, RESTEasy Reactive routed this POST to RouterResource ({@code /routers}) and answered 404.
 */
@Path("/routers/{routerId: \\d+}/access/{grantId: \\d+}/revoke")
@Tag(name = "Access")
@RolesAllowed(Roles.OWNER)
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
@SecurityRequirementsSet({ @SecurityRequirement(name = ApiDocumentation.API_KEY),
        @SecurityRequirement(name = ApiDocumentation.PRIVATE_KEY) })
public class GrantRevocationResource {

    private final AccessService access;
    private final CurrentOwner current;

    public GrantRevocationResource(AccessService access, CurrentOwner current) {
        this.access = access;
        this.current = current;
    }

    @POST
    @Operation(summary = "Revoke a grant before it expires", description = "Owner. The device leaves the router's "
            + "list at its next poll. 409 when already revoked or expired.")
    public AccessService.GrantView revoke(@PathParam("routerId") long routerId, @PathParam("grantId") long grantId) {
        return access.revoke(current.id(), routerId, grantId);
    }
}
