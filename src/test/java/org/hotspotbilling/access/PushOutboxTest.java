package org.hotspotbilling.access;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbox's claims, as several app instances make them: each router goes to one worker at a time, and a
 * worker that died holding a router gives it up when its lease runs out. The instants used lie far in the future,
 * so this test's claims never compete with the running app's own worker, which claims at the present time.
 */
@QuarkusTest
class PushOutboxTest {

    @Inject
    PushOutbox outbox;

    @Inject
    Db db;

    private final List<Long> created = new ArrayList<>();

    /**
     * Leases taken here lie in the future: give them back. And turn this test's routers to poll, so the app's
     * worker stops retrying an address that never answers (it would keep push threads busy for later tests).
     */
    @AfterEach
    void releaseLeases() {
        db.update("UPDATE router_push_state SET lease_token = NULL, lease_until = NULL "
                + "WHERE lease_token LIKE 'test-%'");
        for (long id : created) {
            db.update("UPDATE router SET delivery = 'poll' WHERE id = ?", id);
        }
    }

    /** Push routers with one queued job each, at an address nobody answers (this test never lets a pass run). */
    private List<Long> routersWithJobs(int n) {
        var owner = Owners.register();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long id = Fixtures.router(owner, Map.of("host", "192.0.2.10", "username", "api", "delivery", "push"));
            ids.add(id);
            created.add(id);
            // Parked: the app's worker leaves a router alone while its backoff runs.
            db.update("UPDATE router_push_state SET retry_at = now() + interval '1 day' WHERE router_id = ?", id);
        }
        return ids;
    }

    @Test
    void concurrentInstancesNeverClaimTheSameRouter() throws Exception {
        List<Long> routers = routersWithJobs(12);
        Instant later = Instant.now().plus(Duration.ofDays(2));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<List<Long>>> instances = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String token = "test-instance-" + i;
                instances.add(() -> {
                    List<Long> mine = new ArrayList<>();
                    for (int round = 0; round < 6; round++) {
                        mine.addAll(outbox.claim(2, token, later, Duration.ofMinutes(5)));
                    }
                    return mine;
                });
            }
            List<Long> claimed = new ArrayList<>();
            for (Future<List<Long>> f : pool.invokeAll(instances)) {
                claimed.addAll(f.get());
            }
            List<Long> ours = claimed.stream().filter(routers::contains).toList();
            Set<Long> distinct = new HashSet<>(ours);
            assertEquals(ours.size(), distinct.size(), "a router was claimed twice: " + ours);
            assertEquals(new HashSet<>(routers), distinct);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDeadWorkersRouterIsTakenOverAfterItsLease() {
        long router = routersWithJobs(1).get(0);
        Instant t0 = Instant.now().plus(Duration.ofDays(3));
        assertTrue(outbox.claim(1000, "test-crashed", t0, Duration.ofMinutes(2)).contains(router));
        assertFalse(outbox.claim(1000, "test-other", t0.plusSeconds(60), Duration.ofMinutes(2)).contains(router));
        assertFalse(outbox.renew(router, "test-other", t0.plusSeconds(300)));
        assertTrue(outbox.claim(1000, "test-other", t0.plusSeconds(121), Duration.ofMinutes(2)).contains(router));
        // The crashed worker, back from the dead, can no longer record anything for it.
        assertFalse(outbox.renew(router, "test-crashed", t0.plusSeconds(300)));
    }

    @Test
    void deliveredJobsPastTheirRetentionArePrunedQueuedOnesNever() {
        long router = routersWithJobs(1).get(0);
        Instant now = Instant.now();
        db.update("INSERT INTO router_push_job (router_id, kind, state, created_at, delivered_at) VALUES "
                + "(?, 'grant', 'delivered', now() - interval '9 days', now() - interval '8 days'), "
                + "(?, 'grant', 'delivered', now() - interval '2 days', now() - interval '1 day'), "
                + "(?, 'drift', 'queued', now() - interval '9 days', NULL)", router, router, router);
        long before = db.queryLong("SELECT count(*) FROM router_push_job WHERE router_id = ?", router);
        assertTrue(outbox.pruneDelivered(now.minus(Duration.ofDays(7))) >= 1);
        assertEquals(before - 1, db.queryLong("SELECT count(*) FROM router_push_job WHERE router_id = ?", router));
        assertEquals(0, db.queryLong("SELECT count(*) FROM router_push_job WHERE router_id = ? "
                + "AND delivered_at < now() - interval '7 days'", router));
        assertEquals(2, db.queryLong("SELECT count(*) FROM router_push_job WHERE router_id = ? AND state = 'queued'",
                router), "queued jobs stay, however old");
    }
}
