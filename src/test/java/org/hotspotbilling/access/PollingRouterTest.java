package org.hotspotbilling.access;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.PollingRouter;
import org.hotspotbilling.testing.PollingRouter.Outcome;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a router running poll.rsc (testing/PollingRouter does the same steps) does under failure. */
@QuarkusTest
class PollingRouterTest {

    @Inject
    Db db;

    private static PollingRouter routerOf(Shop shop) {
        String token = shop.owner().withJwt().post("/routers/" + shop.routerId() + "/rotate-token/").then()
                .statusCode(200).extract().path("poll_token");
        return PollingRouter.ofApp(shop.routerId(), token);
    }

    private static String paid(Shop shop, String mac) {
        String payment = shop.paymentFor(mac);
        shop.simulate(payment, 0).statusCode(200);
        return payment;
    }

    private static long warnings(PollingRouter router) {
        return router.log().stream().filter(l -> l.startsWith("warning")).count();
    }

    @Test
    void anUnchangedListChangesAndLogsNothing() {
        Shop shop = Shop.simulated();
        PollingRouter router = routerOf(shop);
        paid(shop, Shop.randomMac());
        assertEquals(Outcome.APPLIED, router.pollOnce());
        List<String> log = router.log();
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.get(0).startsWith("info bill-sync: added "), log.get(0));
        for (int i = 0; i < 5; i++) {
            assertEquals(Outcome.UNCHANGED, router.pollOnce());
        }
        assertEquals(log, router.log());
    }

    @Test
    void aUserRemovedBehindTheScriptsBackIsRestoredThroughTheCount() {
        Shop shop = Shop.simulated();
        PollingRouter router = routerOf(shop);
        String mac = Shop.randomMac();
        paid(shop, mac);
        paid(shop, Shop.randomMac());
        assertEquals(Outcome.APPLIED, router.pollOnce());
        router.removeUserByHand(mac);

        assertEquals(Outcome.APPLIED, router.pollOnce());
        assertTrue(router.users().containsKey(mac));
        assertTrue(router.log().contains("info bill-sync: 1 users here, 2 in the list; fetching it whole"),
                router.log().toString());
        assertEquals(Outcome.UNCHANGED, router.pollOnce());
    }

    @Test
    void aListThatChangesBetweenPagesChangesNothingAndTheNextPassAppliesIt() {
        Shop shop = Shop.simulated();
        PollingRouter router = routerOf(shop);
        db.update("INSERT INTO access_grant (owner_id, router_id, mac_address, expires_at, rate_limit, state, "
                + "created_at, updated_at) SELECT ?, ?, upper(concat_ws(':', '02', lpad(to_hex(n / 65536), 2, '0'), "
                + "lpad(to_hex((n / 256) % 256), 2, '0'), lpad(to_hex(n % 256), 2, '0'), 'AA', 'CC')), "
                + "now() + interval '1 hour', '2M/5M', 'pending', now(), now() FROM generate_series(1, 1001) n",
                shop.owner().id(), shop.routerId());
        router.betweenPages(() -> paid(shop, Shop.randomMac()));

        assertEquals(Outcome.VERSION_CHANGED, router.pollOnce());
        assertTrue(router.users().isEmpty());
        assertNull(router.version());
        assertEquals(0, warnings(router), "a list changing under a pass is no fault");

        router.betweenPages(() -> { });
        assertEquals(Outcome.APPLIED, router.pollOnce());
        assertEquals(1002, router.users().size());
        assertEquals(0, db.queryLong("SELECT count(*) FROM access_grant WHERE router_id = ? AND state = 'pending'",
                shop.routerId()));
    }

    @Test
    void aFailureThatRepeatsIsLoggedOnceAndTheIspsOwnUserIsLeftAlone() {
        Shop shop = Shop.simulated();
        PollingRouter router = routerOf(shop);
        String clash = Shop.randomMac();
        router.addForeignUser(clash);
        String payment = paid(shop, clash);

        for (int i = 0; i < 4; i++) {
            assertEquals(Outcome.APPLIED_WITH_FAILURES, router.pollOnce());
        }
        assertEquals(1, warnings(router), router.log().toString());
        assertEquals("", router.users().get(clash).rateLimit(), "the ISP's user keeps its own profile");
        assertEquals("pending", shop.checkStatus(payment).extract().path("access.state"));
        assertTrue(db.queryString("SELECT last_report_error FROM router WHERE id = ?", shop.routerId())
                .contains("without the tag"));
    }

    @Test
    void anUnreachableBackendIsOneWarningAndNothingChangesUntilItIsBack() {
        Shop shop = Shop.simulated();
        PollingRouter router = routerOf(shop);
        String mac = Shop.randomMac();
        paid(shop, mac);
        assertEquals(Outcome.APPLIED, router.pollOnce());
        router.setOffline(true);
        assertEquals(Outcome.FETCH_FAILED, router.pollOnce());
        assertEquals(Outcome.FETCH_FAILED, router.pollOnce());
        assertEquals(1, warnings(router));
        assertTrue(router.users().containsKey(mac), "an unreachable backend takes nobody offline");

        router.setOffline(false);
        assertEquals(Outcome.UNCHANGED, router.pollOnce());
        assertEquals("info bill-sync: back to normal", router.log().get(router.log().size() - 1));
    }

    @Test
    void aTopUpRaisesLimitUptimeByTheTimeAlreadyOnline() {
        Shop shop = Shop.simulated();
        PollingRouter router = routerOf(shop);
        String mac = Shop.randomMac();
        paid(shop, mac);
        assertEquals(Outcome.APPLIED, router.pollOnce());
        router.setUptime(mac, 3000);
        paid(shop, mac); // one more hour
        assertEquals(Outcome.APPLIED, router.pollOnce());
        long limit = router.users().get(mac).limitUptimeSeconds();
        assertTrue(limit > 3000 + 7100 && limit <= 3000 + 7200, "limit " + limit);
    }
}
