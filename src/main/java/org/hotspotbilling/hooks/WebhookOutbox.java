package org.hotspotbilling.hooks;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import org.hotspotbilling.crypto.SecretBox;
import org.hotspotbilling.work.BatchedDelete;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The durable outbox of webhook deliveries, in PostgreSQL so that it survives a crash and is shared by every app
 * instance. A worker leases a due delivery with {@code FOR UPDATE SKIP LOCKED}; a crashed worker's delivery is
 * taken over once its lease has run out, and sent again with the same event id (at-least-once). Each step is its
 * own short transaction: no transaction stays open while an endpoint is being called.
 */
@ApplicationScoped
public class WebhookOutbox {

    /** What one attempt sends: the stored body, and every secret that signs it now. */
    public record Send(long deliveryId, long endpointId, String url, String eventId, String payload,
            List<String> secrets) {
    }

    /** How an attempt went: an HTTP status (null when none came), latency, the answer's start, or the error. */
    public record Outcome(Integer status, int latencyMs, String response, String error) {
        boolean succeeded() {
            return status != null && status >= 200 && status < 300;
        }
    }

    static final int RESPONSE_CHARS = 500;

    private final EntityManager em;
    private final SecretBox secrets;
    private final WebhookEvents events;
    private final List<Duration> schedule;
    private final Duration retention;

    public WebhookOutbox(EntityManager em, SecretBox secrets, WebhookEvents events, WebhookConfig config) {
        this.em = em;
        this.secrets = secrets;
        this.events = events;
        this.schedule = config.retrySchedule();
        this.retention = config.retention();
    }

    /** Leases up to {@code max} due deliveries of enabled endpoints for {@code lease}; answers their ids. */
    @SuppressWarnings("unchecked")
    public List<Long> claim(int max, String token, Instant now, Duration lease) {
        if (max <= 0) {
            return List.of();
        }
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "UPDATE webhook_delivery d SET lease_token = ?1, lease_until = ?2 WHERE d.id IN ("
                                + "SELECT c.id FROM webhook_delivery c JOIN webhook_endpoint e ON e.id = c.endpoint_id "
                                + "WHERE c.state = 'queued' AND c.next_attempt_at <= ?3 AND e.enabled "
                                + "AND (c.lease_until IS NULL OR c.lease_until < ?3) "
                                + "ORDER BY c.next_attempt_at LIMIT ?4 FOR UPDATE OF c SKIP LOCKED) RETURNING d.id",
                        Long.class)
                .setParameter(1, token).setParameter(2, now.plus(lease)).setParameter(3, now).setParameter(4, max)
                .getResultList());
    }

    /** The delivery as it must be sent now, or null when it is no longer this worker's to send. */
    public Send begin(long deliveryId, String token, Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Tuple> rows = em.createNativeQuery("SELECT d.endpoint_id, e.owner_id, e.url, d.event_id, v.payload, "
                            + "e.secret_ciphertext, e.previous_secret_ciphertext, e.previous_secret_until "
                            + "FROM webhook_delivery d JOIN webhook_endpoint e ON e.id = d.endpoint_id "
                            + "JOIN webhook_event v ON v.id = d.event_id "
                            + "WHERE d.id = ?1 AND d.lease_token = ?2 AND d.state = 'queued'", Tuple.class)
                    .setParameter(1, deliveryId).setParameter(2, token).getResultList();
            if (rows.isEmpty()) {
                return null;
            }
            Tuple t = rows.get(0);
            long endpointId = ((Number) t.get(0)).longValue();
            SecretBox.Binding binding = new SecretBox.Binding(WebhookEndpoint.TABLE, endpointId,
                    ((Number) t.get(1)).longValue());
            List<String> signing = new ArrayList<>();
            signing.add(secrets.decrypt((byte[]) t.get(5), binding));
            Instant previousUntil = t.get(7, Instant.class);
            if (t.get(6) != null && previousUntil != null && previousUntil.isAfter(now)) {
                try {
                    signing.add(secrets.decrypt((byte[]) t.get(6), binding));
                } catch (SecretBox.SecretUnreadable e) {
                    // A rotation that replaced an unreadable secret: the new one alone signs.
                }
            }
            return new Send(deliveryId, endpointId, (String) t.get(2), (String) t.get(3), (String) t.get(4), signing);
        });
    }

    /**
     * Records an attempt and what follows from it: a 2xx delivers; anything else waits for the next step of the
     * schedule, or, the schedule used up, fails the delivery, and disables the endpoint when nothing reached it
     * since that delivery was queued (docs/webhooks.md "Retries"). Nothing is recorded if the lease was lost.
     */
    public void attempted(Send send, String token, Instant at, Outcome outcome) {
        QuarkusTransaction.requiringNew().run(() -> {
            @SuppressWarnings("unchecked")
            List<Tuple> held = em.createNativeQuery("SELECT attempts, created_at FROM webhook_delivery "
                            + "WHERE id = ?1 AND lease_token = ?2 AND state = 'queued' FOR UPDATE", Tuple.class)
                    .setParameter(1, send.deliveryId()).setParameter(2, token).getResultList();
            if (held.isEmpty()) {
                return;
            }
            int attempts = ((Number) held.get(0).get(0)).intValue() + 1;
            Instant queuedAt = held.get(0).get(1, Instant.class);
            em.createNativeQuery("INSERT INTO webhook_attempt (delivery_id, endpoint_id, attempted_at, status_code, "
                            + "latency_ms, response, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
                    .setParameter(1, send.deliveryId()).setParameter(2, send.endpointId()).setParameter(3, at)
                    .setParameter(4, outcome.status()).setParameter(5, outcome.latencyMs())
                    .setParameter(6, outcome.response()).setParameter(7, outcome.error())
                    .executeUpdate();
            String state;
            Instant next = null;
            if (outcome.succeeded()) {
                state = "delivered";
                em.createNativeQuery("UPDATE webhook_endpoint SET last_success_at = ?1 WHERE id = ?2 "
                                + "AND (last_success_at IS NULL OR last_success_at < ?1)")
                        .setParameter(1, at).setParameter(2, send.endpointId()).executeUpdate();
            } else if (attempts <= schedule.size()) {
                state = "queued";
                next = Instant.now().plus(jittered(schedule.get(attempts - 1)));
            } else {
                state = "failed";
            }
            em.createNativeQuery("UPDATE webhook_delivery SET state = ?1, attempts = ?2, next_attempt_at = ?3, "
                            + "last_status = ?4, last_error = ?5, lease_token = NULL, lease_until = NULL, "
                            + "finished_at = ?6 WHERE id = ?7")
                    .setParameter(1, state).setParameter(2, attempts).setParameter(3, next)
                    .setParameter(4, outcome.status()).setParameter(5, outcome.error())
                    .setParameter(6, state.equals("queued") ? null : at)
                    .setParameter(7, send.deliveryId())
                    .executeUpdate();
            if (state.equals("failed")) {
                disableIfNothingArrivedSince(send.endpointId(), queuedAt, attempts, at);
            }
        });
    }

    /**
     * A delivery used up its whole schedule (about 3 days) and no delivery to the endpoint succeeded since it was
     * queued: the endpoint is disabled with the reason, and an {@code endpoint.disabled} event is written for the
     * owner (to their other endpoints that subscribe to it, and the event log).
     */
    private void disableIfNothingArrivedSince(long endpointId, Instant queuedAt, int attempts, Instant at) {
        String reason = "Disabled after " + attempts + " failed attempts since " + queuedAt
                + " with no successful delivery: fix the endpoint, enable it again, and replay what it missed";
        @SuppressWarnings("unchecked")
        List<Tuple> disabled = em.createNativeQuery("UPDATE webhook_endpoint SET enabled = false, disabled_reason = ?1, "
                        + "disabled_at = ?2, updated_at = ?2 WHERE id = ?3 AND enabled "
                        + "AND (last_success_at IS NULL OR last_success_at < ?4) RETURNING owner_id, url", Tuple.class)
                .setParameter(1, reason).setParameter(2, at).setParameter(3, endpointId).setParameter(4, queuedAt)
                .getResultList();
        if (disabled.isEmpty()) {
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("endpoint_id", endpointId);
        data.put("url", disabled.get(0).get(1));
        data.put("reason", reason);
        data.put("disabled_at", at);
        events.emit(((Number) disabled.get(0).get(0)).longValue(), EventTypes.ENDPOINT_DISABLED, data, at);
    }

    @Scheduled(every = "1h", delayed = "3m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void prune() {
        prune(Instant.now().minus(retention));
    }

    /**
     * Deletes events written before {@code cutoff}, with their deliveries and attempts, in batches so that no
     * delete holds many rows for long; an event with a delivery still queued is kept. Answers how many.
     */
    public int prune(Instant cutoff) {
        return BatchedDelete.before(em, "DELETE FROM webhook_event WHERE id IN (SELECT e.id FROM webhook_event e "
                + "WHERE e.created_at < ?1 AND NOT EXISTS (SELECT 1 FROM webhook_delivery d "
                + "WHERE d.event_id = e.id AND d.state = 'queued') LIMIT ?2)", cutoff);
    }

    /** A wait of the schedule with ±20% jitter, so that deliveries that failed together do not return together. */
    static Duration jittered(Duration wait) {
        long millis = wait.toMillis();
        return Duration.ofMillis(millis * 8 / 10 + ThreadLocalRandom.current().nextLong(millis * 4 / 10 + 1));
    }
}
