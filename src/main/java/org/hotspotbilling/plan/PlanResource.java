package org.hotspotbilling.plan;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hotspotbilling.plan.PlanDtos.PlanRequest;
import org.hotspotbilling.plan.PlanDtos.PlanView;
import org.hotspotbilling.tenant.CurrentOwner;
import org.hotspotbilling.tenant.Roles;
import org.hotspotbilling.web.ApiDocumentation;
import org.hotspotbilling.web.JsonBody;
import org.hotspotbilling.web.QueryParams;

/** WiFi packages at the reference's {@code /routers/packages/} paths. */
@Path("/routers/packages")
@Tag(name = "Packages", description = "WiFi packages sold on a router")
@RolesAllowed(Roles.OWNER)
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
@SecurityRequirementsSet({ @SecurityRequirement(name = ApiDocumentation.API_KEY),
        @SecurityRequirement(name = ApiDocumentation.PRIVATE_KEY) })
public class PlanResource {

    static final String BODY_REQUIRED = "A JSON request body is required.";

    private final PlanService plans;
    private final CurrentOwner current;

    public PlanResource(PlanService plans, CurrentOwner current) {
        this.plans = plans;
        this.current = current;
    }

    @GET
    @Operation(summary = "The caller's packages on all routers", description = "Owner. ?router=ID narrows to one router.")
    @APIResponse(responseCode = "200", description = "The packages", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = PlanView.class)))
    public JsonBody list(@QueryParam("router") String router) {
        return plans.list(current.id(), QueryParams.optionalId(router, "router"));
    }

    @POST
    @Operation(summary = "Add a package to one of the caller's routers", description = "Owner. Name unique per router.")
    public Response create(@Valid @NotNull(message = BODY_REQUIRED) PlanRequest request) {
        return Response.status(201).entity(plans.create(current.id(), request)).build();
    }

    @GET
    @Path("/{id: \\d+}")
    @Operation(summary = "One package", description = "Owner.")
    public PlanView get(@PathParam("id") long id) {
        return plans.get(current.id(), id);
    }

    @PUT
    @Path("/{id: \\d+}")
    @Operation(summary = "Replace a package", description = "Owner. Every required field must be given.")
    public PlanView replace(@PathParam("id") long id, @Valid @NotNull(message = BODY_REQUIRED) PlanRequest request) {
        return plans.update(current.id(), id, request, true);
    }

    @PATCH
    @Path("/{id: \\d+}")
    @Operation(summary = "Change some fields of a package", description = "Owner.")
    public PlanView patch(@PathParam("id") long id, @Valid @NotNull(message = BODY_REQUIRED) PlanRequest request) {
        return plans.update(current.id(), id, request, false);
    }

    @DELETE
    @Path("/{id: \\d+}")
    @Operation(summary = "Delete a package", description = "Owner.")
    public PlanDtos.Deleted delete(@PathParam("id") long id) {
        return new PlanDtos.Deleted("Package \"" + plans.delete(current.id(), id) + "\" has been successfully deleted");
    }
}
