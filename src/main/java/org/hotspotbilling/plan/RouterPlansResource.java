package org.hotspotbilling.plan;

import io.quarkus.security.identity.SecurityIdentity;
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

/** What a captive portal shows: the packages of one router, read with the owner's public key. */
@Path("/routers/{routerId: \\d+}/packages")
@Tag(name = "Packages")
public class RouterPlansResource {

    private final PlanService plans;
    private final CurrentOwner current;
    private final SecurityIdentity identity;

    public RouterPlansResource(PlanService plans, CurrentOwner current, SecurityIdentity identity) {
        this.plans = plans;
        this.current = current;
        this.identity = identity;
    }

    @GET
    @RolesAllowed({ Roles.OWNER, Roles.PORTAL })
    @SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.PUBLIC_KEY))
    @SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
    @SecurityRequirementsSet({ @SecurityRequirement(name = ApiDocumentation.API_KEY),
            @SecurityRequirement(name = ApiDocumentation.PRIVATE_KEY) })
    @Operation(summary = "A router's packages", description = "Captive portal (X-Public-Key): active packages only. "
            + "Owner (JWT or key pair): all packages, is_active on each.")
    public PlanDtos.RouterPlans list(@PathParam("routerId") long routerId) {
        return identity.hasRole(Roles.OWNER) ? plans.forOwner(current.id(), routerId)
                : plans.forPortal(current.id(), routerId);
    }
}
