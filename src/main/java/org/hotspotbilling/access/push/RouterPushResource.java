package org.hotspotbilling.access.push;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hotspotbilling.access.AccessService;
import org.hotspotbilling.tenant.CurrentOwner;
import org.hotspotbilling.tenant.Roles;
import org.hotspotbilling.web.ApiDocumentation;

/** Where push delivery to one router stands: its queue, backoff, last error and latest jobs. */
@Path("/routers/{routerId: \\d+}/push")
@Tag(name = "Access")
@RolesAllowed(Roles.OWNER)
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
@SecurityRequirementsSet({ @SecurityRequirement(name = ApiDocumentation.API_KEY),
        @SecurityRequirement(name = ApiDocumentation.PRIVATE_KEY) })
public class RouterPushResource {

    private final AccessService access;
    private final CurrentOwner current;

    public RouterPushResource(AccessService access, CurrentOwner current) {
        this.access = access;
        this.current = current;
    }

    @GET
    @Operation(summary = "Push delivery status of a router", description = "Owner. Queued jobs, consecutive "
            + "failures and when the next try is due, the last error, the last drift check and the 20 latest jobs.")
    public AccessService.PushStatus status(@PathParam("routerId") long routerId) {
        return access.pushStatus(current.id(), routerId);
    }
}
