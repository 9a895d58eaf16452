package org.hotspotbilling.access.push;

import org.hotspotbilling.testing.FakeRouterOs;
import org.hotspotbilling.testing.PackagedApp;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged app is killed (SIGKILL) in the middle of delivering a grant to a slow router, then started again
 * on the same database: the delivery completes, with one user on the router and the job recorded as delivered.
 */
class PushSurvivesKillIT {

    private static final Map<String, String> SETTINGS = Map.of(
            "HOTSPOT_ROUTER_ALLOW_LOOPBACK", "true",
            "HOTSPOT_ACCESS_PUSH_LEASE", "3s",
            "HOTSPOT_ACCESS_PUSH_SWEEP_INTERVAL", "1s",
            "HOTSPOT_PAYMENTS_RECONCILE_ENABLED", "false");

    private PackagedApp app;
    private final FakeRouterOs router = new FakeRouterOs();

    @AfterEach
    void stop() throws IOException {
        router.close();
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aDeliveryCutShortByAKillCompletesAfterRestart() throws Exception {
        app = new PackagedApp();
        app.start("first", SETTINGS);

        Shop shop = Shop.pushingTo(router, "push", "hotspot-user");
        await().atMost(Duration.ofSeconds(30)).until(() -> router.requests().isEmpty()
                || jobsQueued() == 0); // the router's first (empty) sync, if any, is over
        // Every router answer now takes 700 ms: a pass of five calls takes seconds, time enough to kill it.
        router.delay(Duration.ofMillis(700));
        router.clearRequests();
        String mac = Shop.randomMac();
        String payment = shop.paymentFor(mac);
        shop.simulate(payment, 0).statusCode(200);

        await().atMost(Duration.ofSeconds(30)).until(() -> router.requests().stream()
                .anyMatch(r -> r.startsWith("PUT /rest/ip/hotspot/user/profile")));
        app.kill();
        List<String> beforeKill = router.requests();
        assertTrue(router.rows("/ip/hotspot/user").isEmpty(), "killed before the user was written: " + beforeKill);
        assertEquals(1, jobsQueued());

        app.start("second", SETTINGS);
        await().atMost(Duration.ofSeconds(60)).until(() -> jobsQueued() == 0);
        List<Map<String, String>> users = router.rows("/ip/hotspot/user");
        assertEquals(1, users.size(), users.toString());
        assertEquals(mac, users.get(0).get("name"));
        assertEquals("bill_2M_5M", users.get(0).get("profile"));
        assertEquals(1, router.rows("/ip/hotspot/user/profile").stream()
                .filter(p -> "bill_2M_5M".equals(p.get("name"))).count());
        assertEquals("on_router", app.query("SELECT state FROM access_grant"));
        assertEquals("delivered", app.query("SELECT state FROM router_push_job WHERE kind = 'grant'"));
    }

    private long jobsQueued() throws Exception {
        return Long.parseLong(app.query("SELECT count(*) FROM router_push_job WHERE state = 'queued'"));
    }
}
