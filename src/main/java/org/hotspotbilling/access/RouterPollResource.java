package org.hotspotbilling.access;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hotspotbilling.tenant.CurrentOwner;
import org.hotspotbilling.tenant.Roles;
import org.hotspotbilling.web.ApiDocumentation;

/** Where poll delivery to one router stands: last poll, what its script confirmed, lag, last reported error. */
@Path("/routers/{routerId: \\d+}/poll")
@Tag(name = "Access")
@RolesAllowed(Roles.OWNER)
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
@SecurityRequirementsSet({ @SecurityRequirement(name = ApiDocumentation.API_KEY),
        @SecurityRequirement(name = ApiDocumentation.PRIVATE_KEY) })
public class RouterPollResource {

    private final RouterPollStatus status;
    private final CurrentOwner current;

    public RouterPollResource(RouterPollStatus status, CurrentOwner current) {
        this.status = status;
        this.current = current;
    }

    @GET
    @Operation(summary = "Poll delivery status of a router", description = "Owner. state (online, offline after 3 "
            + "missed poll intervals, never), last poll, script (confirming or legacy), current, last fetched and "
            + "last applied list versions, in_sync, pending grants and how long the oldest has waited, and the "
            + "script's last report (failures, error).")
    public RouterPollStatus.PollStatus status(@PathParam("routerId") long routerId) {
        return status.of(current.id(), routerId);
    }
}
