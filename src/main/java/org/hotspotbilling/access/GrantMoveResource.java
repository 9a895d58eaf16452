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

/** Moving paid time to a device's new MAC. A class with the whole path, like {@link GrantRevocationResource}. */
@Path("/routers/{routerId: \\d+}/access/{grantId: \\d+}/move")
@Tag(name = "Access")
@RolesAllowed(Roles.OWNER)
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
@SecurityRequirementsSet({ @SecurityRequirement(name = ApiDocumentation.API_KEY),
        @SecurityRequirement(name = ApiDocumentation.PRIVATE_KEY) })
public class GrantMoveResource {

    private final AccessService access;
    private final CurrentOwner current;

    public GrantMoveResource(AccessService access, CurrentOwner current) {
        this.access = access;
        this.current = current;
    }

    @POST
    @Operation(summary = "Move a grant's remaining time to another MAC", description = "Owner. {\"mac_address\": "
            + "\"…\", \"ip_address\": optional}: the customer's phone changed (randomised) its MAC. The time left is "
            + "added to that MAC on the same router (after any time it already has, at the faster rate); the old "
            + "MAC loses access. Recorded in the payment's timeline (access_moved). 404 another owner's router or "
            + "grant, 400 bad MAC, 409 nothing left to move.")
    public AccessService.Moved move(@PathParam("routerId") long routerId, @PathParam("grantId") long grantId,
            AccessService.MoveRequest request) {
        return access.move(current.id(), routerId, grantId, request);
    }
}
