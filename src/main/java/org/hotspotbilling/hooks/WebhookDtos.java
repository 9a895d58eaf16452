package org.hotspotbilling.hooks;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/** Bodies of {@code /webhooks/...}. An endpoint's secret appears only in the answer that created or rotated it. */
public final class WebhookDtos {

    private WebhookDtos() {
    }

    /** Create, PUT or PATCH body. Create and PUT need url and event_types; PATCH changes only what is given. */
    public record EndpointRequest(String url, List<String> eventTypes, String description, Boolean enabled) {
    }

    /**
     * An endpoint as its owner sees it. {@code disabled_reason} says why we stopped delivering to it (persistent
     * failure); enabling it again clears it.
     */
    public record EndpointView(long id, String url, String description, List<String> eventTypes, boolean enabled,
            String disabledReason, Instant disabledAt, Instant lastSuccessAt, Instant previousSecretExpiresAt,
            Instant createdAt, Instant updatedAt, @JsonInclude(JsonInclude.Include.NON_NULL) String secret) {

        static EndpointView of(WebhookEndpoint e, String secret) {
            return new EndpointView(e.id, e.url, e.description, List.of(e.eventTypes), e.enabled, e.disabledReason,
                    e.disabledAt, e.lastSuccessAt, e.previousSecretUntil, e.createdAt, e.updatedAt, secret);
        }
    }

    /** The answer of a rotation: the new secret, once, and until when the previous one still signs. */
    public record RotatedSecret(long id, String secret, Instant previousSecretExpiresAt) {
    }

    public record Deleted(String message) {
    }

    /** One event to one endpoint (a replay is another delivery of the same event). */
    public record DeliveryView(long id, String eventId, String eventType, String state, boolean replay, int attempts,
            Instant nextAttemptAt, Integer lastStatus, String lastError, Instant createdAt, Instant finishedAt) {
    }

    /** One attempt of a delivery, as the endpoint answered it. */
    public record AttemptView(long id, long deliveryId, String eventId, Instant attemptedAt, Integer statusCode,
            int latencyMs, String response, String error) {
    }

    /** {@code {"event_id": "evt_…"}} or {@code {"since": "2026-01-01T00:00:00Z"}}. */
    public record ReplayRequest(String eventId, String since) {
    }

    public record Replayed(int queued) {
    }
}
