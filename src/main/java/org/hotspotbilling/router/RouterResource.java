package org.hotspotbilling.router;

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
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hotspotbilling.router.RouterDtos.RouterRequest;
import org.hotspotbilling.router.RouterDtos.RouterView;
import org.hotspotbilling.tenant.CurrentOwner;
import org.hotspotbilling.tenant.Roles;
import org.hotspotbilling.web.ApiDocumentation;

import java.time.Duration;
import java.util.List;

/** An owner's routers. Another owner's router id answers 404, exactly like an id that does not exist. */
@Path("/routers")
@Tag(name = "Routers", description = "MikroTik routers and their RouterOS REST connection")
@RolesAllowed(Roles.OWNER)
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
@SecurityRequirementsSet({ @SecurityRequirement(name = ApiDocumentation.API_KEY),
        @SecurityRequirement(name = ApiDocumentation.PRIVATE_KEY) })
public class RouterResource {

    static final String BODY_REQUIRED = "A JSON request body is required.";

    private final RouterService routers;
    private final CurrentOwner current;
    private final Duration pollInterval;

    public RouterResource(RouterService routers, CurrentOwner current, RouterConfig config) {
        this.routers = routers;
        this.current = current;
        this.pollInterval = config.pollInterval();
    }

    @GET
    @Operation(summary = "The caller's routers, by name", description = "Owner. poll_state: online, offline (no "
            + "poll for 3 poll intervals), never (null for push-only routers).")
    public List<RouterView> list() {
        return routers.listViews(current.id());
    }

    @POST
    @Operation(summary = "Add a router", description = "Owner. name, host (IP or DNS name), username required; "
            + "port defaults to 80; password is write-only and stored encrypted. The answer carries the router's "
            + "poll token, shown this once.")
    public Response create(@Valid @NotNull(message = BODY_REQUIRED) RouterRequest request) {
        RouterService.Created created = routers.create(current.id(), request);
        return Response.status(201)
                .entity(RouterView.withToken(created.router(), created.pollToken(), pollInterval)).build();
    }

    @POST
    @Path("/{id: \\d+}/rotate-token")
    @Operation(summary = "Replace the router's poll token", description = "Owner. Answers the new token once; the "
            + "old one stops working at once. Put it in the router's poll script.")
    public RouterDtos.PollToken rotateToken(@PathParam("id") long id) {
        String token = routers.rotatePollToken(current.id(), id);
        return new RouterDtos.PollToken(id, token, "/routers/" + id + "/authorized-macs/",
                "New poll token. Store it in the router's poll script; it will not be shown again.");
    }

    @GET
    @Path("/{id: \\d+}")
    @Operation(summary = "One router", description = "Owner.")
    public RouterView get(@PathParam("id") long id) {
        return RouterView.of(routers.get(current.id(), id), pollInterval);
    }

    @PUT
    @Path("/{id: \\d+}")
    @Operation(summary = "Replace a router's settings", description = "Owner. The password changes only when given.")
    public RouterView replace(@PathParam("id") long id, @Valid @NotNull(message = BODY_REQUIRED) RouterRequest request) {
        return RouterView.of(routers.update(current.id(), id, request, true), pollInterval);
    }

    @PATCH
    @Path("/{id: \\d+}")
    @Operation(summary = "Change some of a router's settings", description = "Owner.")
    public RouterView patch(@PathParam("id") long id, @Valid @NotNull(message = BODY_REQUIRED) RouterRequest request) {
        return RouterView.of(routers.update(current.id(), id, request, false), pollInterval);
    }

    @DELETE
    @Path("/{id: \\d+}")
    @Operation(summary = "Delete a router and its packages", description = "Owner.")
    public RouterDtos.Deleted delete(@PathParam("id") long id) {
        String name = routers.delete(current.id(), id);
        return new RouterDtos.Deleted("Router \"" + name + "\" has been successfully deleted");
    }

    @POST
    @Path("/{id: \\d+}/test-connection")
    @Operation(summary = "Check that the router's REST API answers", description = "Owner. Records is_online and "
            + "last_checked; an unreachable router is a normal answer (is_online false, detail says why).")
    public RouterDtos.ConnectionTest testConnection(@PathParam("id") long id) {
        return routers.testConnection(current.id(), id);
    }

    @GET
    @Path("/{id: \\d+}/device-info")
    @Operation(summary = "Identity, version, board, uptime, CPU and memory", description = "Owner. 502 when the "
            + "router fails or refuses, 504 when it does not answer in time.")
    public RouterDtos.DeviceInfoAnswer deviceInfo(@PathParam("id") long id) {
        return new RouterDtos.DeviceInfoAnswer(id, routers.deviceInfo(current.id(), id),
                "Device information retrieved successfully");
    }

    @POST
    @Path("/{id: \\d+}/execute-command")
    @Operation(summary = "Read an allow-listed RouterOS menu", description = "Owner. Only GET of read-only menus "
            + "(see README); anything else is a 400. 502/504 when the router fails or times out.")
    public RouterDtos.CommandAnswer executeCommand(@PathParam("id") long id,
            @NotNull(message = BODY_REQUIRED) RouterDtos.CommandRequest request) {
        return routers.executeReadOnly(current.id(), id, request);
    }
}
