package org.hotspotbilling.access;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import org.hotspotbilling.access.push.PushOutbox;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Ends grants on our wall clock, never the router's (whose clock may restart at 1970, and whose limit-uptime
 * counts online time only). Grants past expires_at become {@code expired}; a push router gets a job that removes
 * the user (or binding and queue) and kicks its session; a polling router drops it at its next poll, since the
 * list never carries an expired grant. Batches are claimed with {@code FOR UPDATE SKIP LOCKED}, so instances
 * sweeping at once share the work and a grant being extended right now is left to its payment.
 */
@ApplicationScoped
public class ExpirySweeper {

    private static final Logger LOG = Logger.getLogger(ExpirySweeper.class);
    private static final int BATCH = 1000;

    private final EntityManager em;
    private final PushOutbox outbox;

    public ExpirySweeper(EntityManager em, PushOutbox outbox) {
        this.em = em;
        this.outbox = outbox;
    }

    @Scheduled(every = "${hotspot.access.expiry.sweep-interval:15s}", delayed = "3s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        int expired = sweep(Instant.now());
        if (expired > 0) {
            LOG.infof("Expired %d access grant(s)", expired);
        }
    }

    /** Expires every live grant whose time is up at {@code now}; answers how many. */
    public int sweep(Instant now) {
        Instant at = now.truncatedTo(ChronoUnit.MICROS);
        int total = 0;
        int batch;
        do {
            batch = QuarkusTransaction.requiringNew().call(() -> {
                // Only live grants may become expired (the table of GrantState): an ended grant keeps its state.
                @SuppressWarnings("unchecked")
                List<Tuple> expired = em.createNativeQuery("UPDATE access_grant g SET state = 'expired', updated_at = ?1 "
                                + "WHERE g.id IN (SELECT id FROM access_grant WHERE state IN ('pending', 'on_router') "
                                + "AND expires_at <= ?1 ORDER BY expires_at LIMIT ?2 FOR UPDATE SKIP LOCKED) "
                                + "RETURNING g.id, g.router_id, g.mac_address", Tuple.class)
                        .setParameter(1, at).setParameter(2, BATCH)
                        .getResultList();
                for (Tuple grant : expired) {
                    outbox.enqueue(((Number) grant.get(1)).longValue(), "expire", ((Number) grant.get(0)).longValue(),
                            (String) grant.get(2), at);
                }
                return expired.size();
            });
            total += batch;
        } while (batch == BATCH);
        return total;
    }
}
