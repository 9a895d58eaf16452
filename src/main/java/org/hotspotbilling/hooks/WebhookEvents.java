package org.hotspotbilling.hooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.hibernate.query.NativeQuery;

import java.time.Instant;
import java.util.Map;

/**
 * Writes owners' webhook events, always inside the transaction of the change they describe, so that a change
 * rolled back leaves no event and a committed one always has its event (docs/webhooks.md "Events"). The fan-out
 * to subscribed endpoints is the database function {@code webhook_emit}, which the access triggers call too, and
 * {@code payment_event_record} with each payment timeline event (payment/PaymentSettlement).
 */
@ApplicationScoped
public class WebhookEvents {

    /** Fired in a transaction that queued deliveries; this instance's worker wakes once it has committed. */
    public record Queued() {
    }

    private final EntityManager em;
    private final ObjectMapper json;
    private final Event<Queued> queued;

    public WebhookEvents(EntityManager em, ObjectMapper json, Event<Queued> queued) {
        this.em = em;
        this.json = json;
        this.queued = queued;
    }

    /** Records an event of {@code type} with {@code data}; answers its id ({@code evt_…}). */
    @Transactional(Transactional.TxType.MANDATORY)
    public String emit(long ownerId, String type, Map<String, Object> data, Instant at) {
        String body = json(type, data);
        String id = (String) em.createNativeQuery("SELECT webhook_emit(?1, ?2, cast(?3 AS jsonb), ?4)")
                .setParameter(1, ownerId).setParameter(2, type).setParameter(3, body).setParameter(4, at)
                // Only the webhook tables are touched: pending changes of other entities (the payment being
                // settled) stay unflushed and are written once, at commit.
                .unwrap(NativeQuery.class).addSynchronizedQuerySpace("webhook_event")
                .getSingleResult();
        queued();
        return id;
    }

    /** The data of an event of {@code type} as JSON, for a writer that calls {@code webhook_emit} itself. */
    public String json(String type, Map<String, Object> data) {
        try {
            return json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Event data of " + type + " is not JSON", e);
        }
    }

    /** Wakes this instance's worker once the current transaction, which queued deliveries, has committed. */
    public void queued() {
        queued.fire(new Queued());
    }
}
