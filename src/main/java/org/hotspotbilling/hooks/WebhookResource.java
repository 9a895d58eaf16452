package org.hotspotbilling.hooks;

import jakarta.annotation.security.RolesAllowed;
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
import org.hotspotbilling.hooks.WebhookDtos.EndpointRequest;
import org.hotspotbilling.hooks.WebhookDtos.EndpointView;
import org.hotspotbilling.tenant.CurrentOwner;
import org.hotspotbilling.tenant.Roles;
import org.hotspotbilling.web.ApiDocumentation;

import java.util.List;

/** An owner's webhook endpoints (docs/webhooks.md). Another owner's endpoint id answers 404. */
@Path("/webhooks/endpoints")
@Tag(name = "Webhooks", description = "Signed event deliveries to the owner's own systems (Standard Webhooks)")
@RolesAllowed(Roles.OWNER)
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
@SecurityRequirementsSet({ @SecurityRequirement(name = ApiDocumentation.API_KEY),
        @SecurityRequirement(name = ApiDocumentation.PRIVATE_KEY) })
public class WebhookResource {

    static final String BODY_REQUIRED = "A JSON request body is required.";

    private final WebhookEndpoints endpoints;
    private final CurrentOwner current;

    public WebhookResource(WebhookEndpoints endpoints, CurrentOwner current) {
        this.endpoints = endpoints;
        this.current = current;
    }

    @GET
    @Operation(summary = "The caller's webhook endpoints", description = "Owner. Secrets are never listed.")
    public List<EndpointView> list() {
        return endpoints.list(current.id()).stream().map(e -> EndpointView.of(e, null)).toList();
    }

    @POST
    @Operation(summary = "Register a webhook endpoint", description = "Owner. url (https in production; loopback, "
            + "link-local and cloud metadata hosts refused), event_types (at least one of docs/webhooks.md), "
            + "description (up to 200 characters), enabled (default true). The answer carries the signing secret "
            + "(whsec_…), shown this once.")
    public Response create(@NotNull(message = BODY_REQUIRED) EndpointRequest request) {
        WebhookEndpoints.Created created = endpoints.create(current.id(), request);
        return Response.status(201).entity(EndpointView.of(created.endpoint(), created.secret())).build();
    }

    @GET
    @Path("/{id: \\d+}")
    @Operation(summary = "One webhook endpoint", description = "Owner. disabled_reason says why we stopped "
            + "delivering to it.")
    public EndpointView get(@PathParam("id") long id) {
        return EndpointView.of(endpoints.get(current.id(), id), null);
    }

    @PUT
    @Path("/{id: \\d+}")
    @Operation(summary = "Replace a webhook endpoint", description = "Owner. url and event_types required; "
            + "enabled true re-enables an endpoint we disabled.")
    public EndpointView replace(@PathParam("id") long id, @NotNull(message = BODY_REQUIRED) EndpointRequest request) {
        return EndpointView.of(endpoints.update(current.id(), id, request, true), null);
    }

    @PATCH
    @Path("/{id: \\d+}")
    @Operation(summary = "Change some of a webhook endpoint's settings", description = "Owner.")
    public EndpointView patch(@PathParam("id") long id, @NotNull(message = BODY_REQUIRED) EndpointRequest request) {
        return EndpointView.of(endpoints.update(current.id(), id, request, false), null);
    }

    @DELETE
    @Path("/{id: \\d+}")
    @Operation(summary = "Delete a webhook endpoint and its delivery log", description = "Owner.")
    public WebhookDtos.Deleted delete(@PathParam("id") long id) {
        endpoints.delete(current.id(), id);
        return new WebhookDtos.Deleted("Webhook endpoint " + id + " has been deleted");
    }

    @POST
    @Path("/{id: \\d+}/rotate-secret")
    @Operation(summary = "Replace the endpoint's signing secret", description = "Owner. Answers the new secret "
            + "once; the previous one keeps signing beside it (a second v1 signature) until "
            + "previous_secret_expires_at (hotspot.webhooks.secret-overlap, default 24h).")
    public WebhookDtos.RotatedSecret rotateSecret(@PathParam("id") long id) {
        return endpoints.rotateSecret(current.id(), id);
    }

    @GET
    @Path("/{id: \\d+}/deliveries")
    @Operation(summary = "The endpoint's deliveries, newest first", description = "Owner. At most 100: event, "
            + "state (queued, delivered, failed), attempts, next attempt, last status or error.")
    public List<WebhookDtos.DeliveryView> deliveries(@PathParam("id") long id) {
        return endpoints.deliveries(current.id(), id);
    }

    @GET
    @Path("/{id: \\d+}/attempts")
    @Operation(summary = "The endpoint's delivery attempts, newest first", description = "Owner. At most 100: "
            + "status code, latency in ms, the first 500 characters of the answer, or the error.")
    public List<WebhookDtos.AttemptView> attempts(@PathParam("id") long id) {
        return endpoints.attempts(current.id(), id);
    }

    @POST
    @Path("/{id: \\d+}/replay")
    @Operation(summary = "Send events to the endpoint again", description = "Owner. {\"event_id\": \"evt_…\"} "
            + "for one event, or {\"since\": \"2026-01-31T08:00:00Z\"} for every event of its types since then "
            + "(at most 10,000). Same event ids: receivers deduplicate. 409 while the endpoint is disabled.")
    public Response replay(@PathParam("id") long id,
            @NotNull(message = BODY_REQUIRED) WebhookDtos.ReplayRequest request) {
        return Response.status(202).entity(new WebhookDtos.Replayed(endpoints.replay(current.id(), id, request)))
                .build();
    }
}
