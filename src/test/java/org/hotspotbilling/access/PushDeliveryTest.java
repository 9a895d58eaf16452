package org.hotspotbilling.access;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.FakeRouterOs;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Push delivery: a completed payment reaches the router's REST API, stays there until expiry, and leaves. */
@QuarkusTest
class PushDeliveryTest {

    private static final String USERS = "/ip/hotspot/user";
    private static final String PROFILES = "/ip/hotspot/user/profile";
    private static final String ACTIVE = "/ip/hotspot/active";
    private static final String BINDINGS = "/ip/hotspot/ip-binding";
    private static final String QUEUES = "/queue/simple";
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @Inject
    Db db;

    @Inject
    PushOutbox outbox;

    private final FakeRouterOs router = new FakeRouterOs();
    private Shop shop;

    /** A shop whose router is this test's fake; switched back to poll afterwards, so no worker keeps calling it. */
    private Shop shop(String delivery, String mode) {
        shop = Shop.pushingTo(router, delivery, mode);
        awaitDelivered(shop); // the sync queued at the router's creation is over before a test changes the fake
        return shop;
    }

    @AfterEach
    void closeRouter() {
        if (shop != null) {
            shop.owner().withJwt().body(Map.of("delivery", "poll")).patch("/routers/" + shop.routerId() + "/")
                    .then().statusCode(200);
        }
        router.close();
    }

    private List<Map<String, String>> ours(String menu) {
        return router.rows(menu).stream().filter(r -> "hotspot-billing".equals(r.get("comment"))).toList();
    }

    private List<Map<String, String>> named(String menu, String field, String value) {
        return router.rows(menu).stream().filter(r -> value.equals(r.get(field))).toList();
    }

    private String paid(Shop shop, String mac) {
        String payment = shop.paymentFor(mac);
        shop.simulate(payment, 0).statusCode(200);
        return payment;
    }

    private void awaitDelivered(Shop shop) {
        await().atMost(PATIENCE).untilAsserted(() -> shop.owner().withJwt()
                .get("/routers/" + shop.routerId() + "/push/").then().statusCode(200)
                .body("queued_jobs", equalTo(0)).body("failures", equalTo(0)));
    }

    /**
     * A healthy router takes every job without an error of ours: the only failed attempts allowed are the fake
     * answering after the tests' 1 s read timeout on a loaded machine (a failed attempt keeps its error).
     */
    private void assertNoFailureButSlowAnswers(Shop shop) {
        awaitDelivered(shop);
        assertEquals(0, db.queryLong("SELECT count(*) FROM router_push_job WHERE router_id = ? "
                + "AND last_error IS NOT NULL AND last_error NOT LIKE 'Router did not answer within%'", shop.routerId()));
    }

    @Test
    void aCompletedPaymentBecomesAHotspotUserOnThePushRouter() {
        router.add(USERS, Map.of("name", "reception", "password", "x", "profile", "default"));
        List<Map<String, String>> ispUsers = named(USERS, "name", "reception");
        Shop shop = shop("push", "hotspot-user");
        router.clearRequests();
        String mac = Shop.randomMac();
        String payment = paid(shop, mac);

        await().atMost(PATIENCE).until(() -> named(USERS, "name", mac).size() == 1);
        Map<String, String> user = named(USERS, "name", mac).get(0);
        assertEquals(mac, user.get("password"));
        assertEquals(mac, user.get("mac-address"));
        assertEquals("bill_2M_5M", user.get("profile"));
        assertEquals("hotspot-billing", user.get("comment"));
        Map<String, String> profile = named(PROFILES, "name", "bill_2M_5M").get(0);
        assertEquals("2000000/5000000", profile.get("rate-limit"));
        assertEquals("1", profile.get("shared-users"));
        assertEquals(ispUsers, named(USERS, "name", "reception"));

        await().atMost(PATIENCE).untilAsserted(() -> shop.checkStatus(payment).body("access.state",
                equalTo("on_router")));
        shop.owner().withJwt().get("/routers/" + shop.routerId() + "/push/").then().statusCode(200)
                .body("delivery", equalTo("push")).body("enforcement_mode", equalTo("hotspot-user"))
                .body("recent_jobs[0].kind", equalTo("grant")).body("recent_jobs[0].mac_address", equalTo(mac))
                .body("recent_jobs[0].state", equalTo("delivered")).body("recent_jobs[0].attempts", equalTo(1));
        // One bulk read per menu, only the writes that differ, one read-back per menu written: never per-entry reads.
        assertEquals(List.of(
                "GET /rest/ip/hotspot/user?comment=hotspot-billing&.proplist=.id,name,mac-address,profile,disabled",
                "GET /rest/ip/hotspot/user/profile?.proplist=.id,name,rate-limit",
                "PUT /rest/ip/hotspot/user/profile",
                "PUT /rest/ip/hotspot/user",
                "GET /rest/ip/hotspot/user?comment=hotspot-billing&.proplist=.id,name,mac-address,profile,disabled",
                "GET /rest/ip/hotspot/user/profile?.proplist=.id,name,rate-limit"),
                router.requests().stream().map(r -> r.replace("%2C", ",")).toList());
    }

    @Test
    void fractionalSpeedsAreSentInWholeKbitsUploadFirst() {
        Shop shop = shop("push", "ip-binding");
        long plan = org.hotspotbilling.testing.Fixtures.plan(shop.owner(), shop.routerId(), Map.of("price", "20.00",
                "download_speed_mbps", 1.5, "upload_speed_mbps", "0.512"));
        shop.owner().withJwt().get("/routers/packages/" + plan + "/").then().statusCode(200)
                .body("download_speed_mbps", equalTo(1.5f)).body("speed_display", equalTo("1.5 Mbps / 0.512 Mbps"));
        String mac = Shop.randomMac();
        String payment = shop.initiate(Map.of("router_id", shop.routerId(), "package_id", plan, "phone_number",
                Shop.phone(), "amount", "20.00", "mac_address", mac, "ip_address", "10.5.50.9")).statusCode(201)
                .extract().path("payment.id");
        shop.simulate(payment, 0).statusCode(200);
        await().atMost(PATIENCE).until(() -> ours(QUEUES).size() == 1);
        assertEquals("512000/1500000", ours(QUEUES).get(0).get("max-limit"));

        shop.owner().withJwt().body(Map.of("enforcement_mode", "hotspot-user")).patch("/routers/" + shop.routerId() + "/")
                .then().statusCode(200);
        await().atMost(PATIENCE).until(() -> named(USERS, "name", mac).size() == 1);
        assertEquals("bill_512k_1500k", named(USERS, "name", mac).get(0).get("profile"));
        assertEquals("512000/1500000", named(PROFILES, "name", "bill_512k_1500k").get(0).get("rate-limit"));
    }

    @Test
    void anOfflineRouterGetsTheGrantOnceItAnswersAgain() {
        Shop shop = shop("push", "hotspot-user");
        router.failWith(503);
        String mac = Shop.randomMac();
        paid(shop, mac);

        await().atMost(PATIENCE).untilAsserted(() -> shop.owner().withJwt()
                .get("/routers/" + shop.routerId() + "/push/").then()
                .body("failures", greaterThanOrEqualTo(2)).body("queued_jobs", equalTo(1))
                .body("recent_jobs[0].attempts", greaterThanOrEqualTo(2))
                .body("recent_jobs[0].last_error", org.hamcrest.Matchers.containsString("503")));
        assertTrue(named(USERS, "name", mac).isEmpty());

        router.failWith(0);
        await().atMost(PATIENCE).until(() -> named(USERS, "name", mac).size() == 1);
        awaitDelivered(shop);
        shop.owner().withJwt().get("/routers/" + shop.routerId() + "/push/").then()
                .body("recent_jobs[0].state", equalTo("delivered"))
                .body("recent_jobs[0].attempts", greaterThanOrEqualTo(3));
    }

    @Test
    void repeatedJobsAndARepeatPurchaseLeaveOneEntry() {
        Shop shop = shop("push", "hotspot-user");
        String mac = Shop.randomMac();
        paid(shop, mac);
        paid(shop, mac);
        for (int i = 0; i < 5; i++) {
            shop.owner().withJwt().post("/routers/" + shop.routerId() + "/push/sync/").then().statusCode(202);
        }
        awaitDelivered(shop);
        assertEquals(1, named(USERS, "name", mac).size());
        assertEquals(1, named(PROFILES, "name", "bill_2M_5M").size());
        long hours = db.queryLong("SELECT round(extract(epoch FROM expires_at - now()) / 3600) FROM access_grant "
                + "WHERE router_id = ? AND mac_address = ?", shop.routerId(), mac);
        assertEquals(2, hours);
    }

    @Test
    void anEntryLeftByAPassCutShortIsReusedNotDuplicated() {
        Shop shop = shop("push", "hotspot-user");
        String mac = Shop.randomMac();
        // What a crashed pass can leave: our user is on the router (here with a stale profile) while our records
        // still say pending.
        router.add(USERS, Map.of("name", mac, "password", mac, "mac-address", mac, "profile", "default",
                "comment", "hotspot-billing"));
        paid(shop, mac);
        awaitDelivered(shop);
        assertEquals(1, named(USERS, "name", mac).size());
        assertEquals("bill_2M_5M", named(USERS, "name", mac).get(0).get("profile"));
    }

    @Test
    void anIspUserWithTheDevicesNameIsLeftAlone() {
        Shop shop = shop("push", "hotspot-user");
        String mac = Shop.randomMac();
        router.add(USERS, Map.of("name", mac, "password", "isp-own", "profile", "staff"));
        List<Map<String, String>> ispUser = named(USERS, "name", mac);
        String payment = paid(shop, mac);
        awaitDelivered(shop);
        assertEquals(ispUser, named(USERS, "name", mac));
        // Our user could not be made, so the device cannot log in: the grant is not on the router.
        shop.checkStatus(payment).body("access.state", equalTo("pending"));
    }

    @Test
    void expiryRemovesTheUserAndKicksItsSession() {
        Shop shop = shop("push", "hotspot-user");
        String mac = Shop.randomMac();
        paid(shop, mac);
        await().atMost(PATIENCE).until(() -> named(USERS, "name", mac).size() == 1);
        awaitDelivered(shop);
        router.add(ACTIVE, Map.of("user", mac, "mac-address", mac, "address", "10.5.50.7"));
        router.add(ACTIVE, Map.of("user", "reception", "mac-address", "02:00:00:00:00:01", "address", "10.5.50.8"));

        db.update("UPDATE access_grant SET expires_at = now() - interval '1 second' WHERE router_id = ?",
                shop.routerId());

        await().atMost(PATIENCE).until(() -> named(USERS, "name", mac).isEmpty()
                && named(ACTIVE, "user", mac).isEmpty());
        assertEquals(1, named(ACTIVE, "user", "reception").size());
        assertNoFailureButSlowAnswers(shop);
        assertEquals("expired", db.queryString("SELECT state FROM access_grant WHERE router_id = ?", shop.routerId()));
        awaitDelivered(shop);
        shop.owner().withJwt().get("/routers/" + shop.routerId() + "/push/").then()
                .body("recent_jobs[0].kind", equalTo("expire"));
    }

    @Test
    void ipBindingModeBypassesTheMacAndQueuesItsIpUntilRevoked() {
        Shop shop = shop("push", "ip-binding");
        String ispQueue = router.add(QUEUES, Map.of("name", "office", "target", "10.5.50.2/32", "max-limit", "10M/10M"));
        String mac = Shop.randomMac();
        java.util.HashMap<String, Object> body = new java.util.HashMap<>(shop.purchase(Shop.phone(), mac));
        body.put("ip_address", "10.5.50.23");
        String payment = shop.initiate(body).statusCode(201).extract().path("payment.id");
        shop.simulate(payment, 0).statusCode(200);

        await().atMost(PATIENCE).until(() -> ours(BINDINGS).size() == 1 && ours(QUEUES).size() == 1);
        Map<String, String> binding = ours(BINDINGS).get(0);
        assertEquals(mac, binding.get("mac-address"));
        assertEquals("bypassed", binding.get("type"));
        Map<String, String> queue = ours(QUEUES).get(0);
        assertEquals("bill-" + mac, queue.get("name"));
        assertEquals("10.5.50.23/32", queue.get("target"));
        assertEquals("2000000/5000000", queue.get("max-limit"));
        assertTrue(ours(USERS).isEmpty());
        awaitDelivered(shop);
        router.add(ACTIVE, Map.of("user", "T-" + mac, "mac-address", mac, "address", "10.5.50.23"));

        long grant = db.queryLong("SELECT id FROM access_grant WHERE router_id = ?", shop.routerId());
        shop.owner().withJwt().post("/routers/" + shop.routerId() + "/access/" + grant + "/revoke/").then()
                .statusCode(200);
        await().atMost(PATIENCE).until(() -> ours(BINDINGS).isEmpty() && ours(QUEUES).isEmpty()
                && named(ACTIVE, "mac-address", mac).isEmpty());
        assertEquals(1, named(QUEUES, ".id", ispQueue).size());
        assertNoFailureButSlowAnswers(shop);
    }

    /**
     * RouterOS reads a queue's max-limit back in bits per second: a pass must take "2000000/5000000" for the
     * "2M/5M" it wrote, count the grant as applied at once, and leave the router alone on the next pass.
     */
    @Test
    void ipBindingModeConvergesInOnePassAndTheNextPassWritesNothing() {
        Shop shop = shop("push", "ip-binding");
        String mac = Shop.randomMac();
        java.util.HashMap<String, Object> body = new java.util.HashMap<>(shop.purchase(Shop.phone(), mac));
        body.put("ip_address", "10.5.50.24");
        String payment = shop.initiate(body).statusCode(201).extract().path("payment.id");
        shop.simulate(payment, 0).statusCode(200);

        await().atMost(PATIENCE).untilAsserted(() -> shop.checkStatus(payment).body("access.state",
                equalTo("on_router")));
        assertEquals("2000000/5000000", ours(QUEUES).get(0).get("max-limit"));
        assertNoFailureButSlowAnswers(shop);
        router.clearRequests();
        shop.owner().withJwt().post("/routers/" + shop.routerId() + "/push/sync/").then().statusCode(202);
        awaitDelivered(shop);
        assertTrue(router.requests().stream().allMatch(r -> r.startsWith("GET ")), () -> router.requests().toString());
        shop.owner().withJwt().get("/routers/" + shop.routerId() + "/push/").then().body("failures", equalTo(0));
    }

    @Test
    void aDeviceTheRouterRefusesDoesNotHoldBackTheOthers() {
        Shop shop = shop("push", "hotspot-user");
        String refused = Shop.randomMac();
        String accepted = Shop.randomMac();
        router.refuseWritesMentioning(refused, "failure: invalid value for argument mac-address");
        String refusedPayment = paid(shop, refused);
        String acceptedPayment = paid(shop, accepted);

        await().atMost(PATIENCE).untilAsserted(() -> shop.checkStatus(acceptedPayment).body("access.state",
                equalTo("on_router")));
        shop.checkStatus(refusedPayment).body("access.state", equalTo("pending"));
        await().atMost(PATIENCE).untilAsserted(() -> shop.owner().withJwt()
                .get("/routers/" + shop.routerId() + "/push/").then()
                .body("failures", greaterThanOrEqualTo(1))
                .body("last_error", org.hamcrest.Matchers.containsString("Router refused to add " + refused
                        + ": Router answered 400 Bad Request: failure: invalid value for argument mac-address")));

        router.refuseWritesMentioning(null, null);
        await().atMost(PATIENCE).untilAsserted(() -> shop.checkStatus(refusedPayment).body("access.state",
                equalTo("on_router")));
    }

    @Test
    void writesTheRouterDropsAreFoundByTheReadBackAndRetried() {
        Shop shop = shop("push", "hotspot-user");
        router.ignoreWrites(true);
        String mac = Shop.randomMac();
        paid(shop, mac);
        await().atMost(PATIENCE).untilAsserted(() -> shop.owner().withJwt()
                .get("/routers/" + shop.routerId() + "/push/").then()
                .body("failures", greaterThanOrEqualTo(1))
                .body("last_error", org.hamcrest.Matchers.containsString("differ from the grants for " + mac)));
        router.ignoreWrites(false);
        await().atMost(PATIENCE).until(() -> named(USERS, "name", mac).size() == 1);
        awaitDelivered(shop);
    }

    @Test
    void aDriftCheckRepairsTheRouterBothWays() {
        Shop shop = shop("push", "hotspot-user");
        String mac = Shop.randomMac();
        paid(shop, mac);
        await().atMost(PATIENCE).until(() -> named(USERS, "name", mac).size() == 1);
        awaitDelivered(shop);
        // Someone removed our user by hand and another copy of the backend's tag appeared for a device nobody paid.
        router.remove(USERS, named(USERS, "name", mac).get(0).get(".id"));
        router.add(USERS, Map.of("name", "02:00:00:00:00:99", "profile", "bill_2M_5M", "comment", "hotspot-billing"));

        assertTrue(outbox.enqueueDriftChecks(java.time.Instant.now(), Duration.ZERO) >= 1);
        await().atMost(PATIENCE).until(() -> named(USERS, "name", mac).size() == 1
                && named(USERS, "name", "02:00:00:00:00:99").isEmpty());
        awaitDelivered(shop);
        shop.owner().withJwt().get("/routers/" + shop.routerId() + "/push/").then()
                .body("last_drift_repairs", greaterThanOrEqualTo(2));
    }

    @Test
    void switchingEnforcementModeMovesTheDevicesEntries() {
        Shop shop = shop("push", "hotspot-user");
        String mac = Shop.randomMac();
        paid(shop, mac);
        await().atMost(PATIENCE).until(() -> named(USERS, "name", mac).size() == 1);
        shop.owner().withJwt().body(Map.of("enforcement_mode", "ip-binding")).patch("/routers/" + shop.routerId() + "/")
                .then().statusCode(200).body("enforcement_mode", equalTo("ip-binding"));
        await().atMost(PATIENCE).until(() -> ours(USERS).isEmpty() && ours(BINDINGS).size() == 1);
        assertEquals(mac, ours(BINDINGS).get(0).get("mac-address"));
    }

    @Test
    void aPollOnlyRouterIsNeverCalled() {
        Shop shop = shop("poll", "hotspot-user");
        String payment = paid(shop, Shop.randomMac());
        shop.checkStatus(payment).body("access.state", equalTo("pending"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM router_push_job WHERE router_id = ?", shop.routerId()));
        shop.owner().withJwt().post("/routers/" + shop.routerId() + "/push/sync/").then().statusCode(409)
                .body("error", org.hamcrest.Matchers.containsString("takes no pushes"));
        assertTrue(router.requests().isEmpty(), () -> Objects.toString(router.requests()));
    }
}
