package org.hotspotbilling.access.push;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hotspotbilling.access.AccessService;
import org.hotspotbilling.tenant.CurrentOwner;
import org.hotspotbilling.tenant.Roles;
import org.hotspotbilling.web.ApiDocumentation;

/** A full sync of a push router on the owner's request (a class of its own: see GrantRevocationResource). */
@Path("/routers/{routerId: \\d+}/push/sync")
@Tag(name = "Access")
@RolesAllowed(Roles.OWNER)
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
@SecurityRequirementsSet({ @SecurityRequirement(name = ApiDocumentation.API_KEY),
        @SecurityRequirement(name = ApiDocumentation.PRIVATE_KEY) })
public class PushSyncResource {

    private final AccessService access;
    private final CurrentOwner current;

    public PushSyncResource(AccessService access, CurrentOwner current) {
        this.access = access;
        this.current = current;
    }

    @POST
    @Operation(summary = "Sync a push router now", description = "Owner. Queues a full comparison of the router's "
            + "tagged entries with its live grants, tried at once even during a backoff; 202 with the push status. "
            + "409 when the router's delivery is poll.")
    public Response sync(@PathParam("routerId") long routerId) {
        return Response.accepted(access.requestSync(current.id(), routerId)).build();
    }
}
