package org.hotspotbilling.overview;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hotspotbilling.tenant.CurrentOwner;
import org.hotspotbilling.tenant.Roles;
import org.hotspotbilling.web.ApiDocumentation;

import java.time.Instant;

/** The owner's one screen of numbers (docs/overview.md). */
@Path("/payments/overview")
@Tag(name = "Payments", description = "The owner's payments and their timelines")
@RolesAllowed(Roles.OWNER)
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
@SecurityRequirementsSet({ @SecurityRequirement(name = ApiDocumentation.API_KEY),
        @SecurityRequirement(name = ApiDocumentation.PRIVATE_KEY) })
public class OverviewResource {

    private final OwnerOverview overview;
    private final CurrentOwner current;

    public OverviewResource(OwnerOverview overview, CurrentOwner current) {
        this.overview = overview;
        this.current = current;
    }

    @GET
    @Operation(summary = "The owner's overview for a time range", description = "Owner. from and to: dates "
            + "(midnight UTC) or ISO-8601 instants; the range is [from, to), default the last 30 days, at most 366 "
            + "days. Payments counted by their creation time (UTC days): revenue by day and currency, payments by "
            + "status and provider, success rate (completed / settled; null when none settled), failures by provider "
            + "result code with recovery hints, median and p95 time to complete (to the second below a minute; "
            + "docs/overview.md); now: routers by poll state and failing push routers, live grants; provider "
            + "callbacks received in the range and each credential's webhook counters. Amounts are strings with 2 "
            + "decimals, keyed by currency.")
    public OverviewDtos.Overview get(@QueryParam("from") String from, @QueryParam("to") String to) {
        Instant now = Instant.now();
        return overview.of(current.id(), OverviewRange.of(from, to, now), now);
    }
}
