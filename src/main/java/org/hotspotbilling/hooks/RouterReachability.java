package org.hotspotbilling.hooks;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import org.hotspotbilling.router.RouterConfig;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns routers' polls into {@code router.online} and {@code router.offline} events. A router is online while it
 * has polled within 3 poll intervals, as its {@code poll_state} says (router/Router). Each check compares that with
 * what was last recorded in {@code router_reachability} and records the differences, each with its event, in one
 * transaction; rows are claimed with {@code FOR UPDATE SKIP LOCKED} and re-checked under the lock, so every
 * transition is recorded once however many instances check. A router's first poll is a {@code router.online}; a
 * router that never polled (push only) has no row and no events.
 */
@ApplicationScoped
public class RouterReachability {

    private static final String STATE = "CASE WHEN r.last_poll_at > ?1 THEN 'online' ELSE 'offline' END";

    private final EntityManager em;
    private final WebhookEvents events;
    private final Duration offlineAfter;

    public RouterReachability(EntityManager em, WebhookEvents events, RouterConfig routers) {
        this.em = em;
        this.events = events;
        this.offlineAfter = routers.pollInterval().multipliedBy(RouterConfig.OFFLINE_AFTER_INTERVALS);
    }

    @Scheduled(every = "${hotspot.webhooks.router-check-interval:15s}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        check(Instant.now());
    }

    /** Records every router whose state differs from the one last recorded at {@code now}; answers how many. */
    public int check(Instant now) {
        Instant at = now.truncatedTo(ChronoUnit.MICROS);
        Instant cutoff = at.minus(offlineAfter);
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Tuple> first = em.createNativeQuery("INSERT INTO router_reachability (router_id, state, changed_at) "
                            + "SELECT r.id, " + STATE + ", ?2 FROM router r WHERE r.last_poll_at IS NOT NULL "
                            + "AND NOT EXISTS (SELECT 1 FROM router_reachability x WHERE x.router_id = r.id) "
                            + "ON CONFLICT (router_id) DO NOTHING RETURNING router_id, state", Tuple.class)
                    .setParameter(1, cutoff).setParameter(2, at).getResultList();
            @SuppressWarnings("unchecked")
            List<Tuple> changed = em.createNativeQuery("UPDATE router_reachability s SET state = c.state, changed_at = ?2 "
                            + "FROM (SELECT x.router_id, " + STATE + " AS state FROM router_reachability x "
                            + "JOIN router r ON r.id = x.router_id WHERE x.state <> " + STATE
                            + " FOR UPDATE OF x SKIP LOCKED) c WHERE s.router_id = c.router_id "
                            + "RETURNING s.router_id, s.state", Tuple.class)
                    .setParameter(1, cutoff).setParameter(2, at).getResultList();
            int recorded = 0;
            for (Tuple row : first) {
                // A router first seen offline was never announced online: nothing to take back.
                if ("online".equals(row.get(1))) {
                    announce(((Number) row.get(0)).longValue(), "online", at);
                    recorded++;
                }
            }
            for (Tuple row : changed) {
                announce(((Number) row.get(0)).longValue(), (String) row.get(1), at);
                recorded++;
            }
            return recorded;
        });
    }

    private void announce(long routerId, String state, Instant at) {
        Tuple router = (Tuple) em.createNativeQuery("SELECT owner_id, name, last_poll_at FROM router WHERE id = ?1",
                        Tuple.class)
                .setParameter(1, routerId).getSingleResult();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("router_id", routerId);
        data.put("name", router.get(1));
        data.put("state", state);
        data.put("last_poll_at", router.get(2, Instant.class));
        data.put("offline_after_seconds", offlineAfter.toSeconds());
        events.emit(((Number) router.get(0)).longValue(), "online".equals(state) ? EventTypes.ROUTER_ONLINE
                : EventTypes.ROUTER_OFFLINE, data, at);
    }
}
