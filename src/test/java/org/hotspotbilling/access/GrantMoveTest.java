package org.hotspotbilling.access;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.FakeRouterOs;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Paid time follows the customer: the owner moves a live grant's remaining time to the device's new MAC on the same
 * router, delivered like any change and recorded in the payment's timeline (docs/payments-rules.md, "Moving paid
 * time"); and a slower top-up keeps the faster rate ("Stacked purchases").
 */
@QuarkusTest
class GrantMoveTest {

    @Inject
    Db db;

    private FakeRouterOs router;
    private Shop pushShop;

    @AfterEach
    void closeRouter() {
        if (pushShop != null) {
            pushShop.owner().withJwt().body(Map.of("delivery", "poll")).patch("/routers/" + pushShop.routerId() + "/")
                    .then().statusCode(200);
            router.close();
        }
    }

    private static String paid(Shop shop, String mac) {
        String payment = shop.paymentFor(mac);
        shop.simulate(payment, 0).statusCode(200);
        return payment;
    }

    /** Two hours at 10 down / 4 up ("4M/10M") for {@code mac}, on a package of its own. */
    private static void paidFast(Shop shop, String mac) {
        long fast = Fixtures.plan(shop.owner(), shop.routerId(), Map.of("price", "50.00", "duration_hours", 2,
                "download_speed_mbps", 10, "upload_speed_mbps", 4));
        String payment = shop.initiate(Map.of("router_id", shop.routerId(), "package_id", fast, "phone_number",
                Shop.phone(), "amount", "50.00", "mac_address", mac)).statusCode(201).extract().path("payment.id");
        shop.simulate(payment, 0).statusCode(200);
    }

    private long grantOf(Shop shop, String mac) {
        return db.queryLong("SELECT id FROM access_grant WHERE router_id = ? AND mac_address = ?", shop.routerId(), mac);
    }

    private Instant expiryOf(Shop shop, String mac) {
        return db.queryInstant("SELECT expires_at FROM access_grant WHERE router_id = ? AND mac_address = ?",
                shop.routerId(), mac);
    }

    private io.restassured.response.ValidatableResponse move(Shop shop, long routerId, long grantId, Object body) {
        return shop.owner().withJwt().body(body).post("/routers/" + routerId + "/access/" + grantId + "/move/").then();
    }

    @Test
    void theRemainingTimeMovesToTheNewMacAndThePaymentSaysSo() {
        Shop shop = Shop.simulated();
        String oldMac = Shop.randomMac();
        String newMac = Shop.randomMac();
        String payment = paid(shop, oldMac);
        Instant expiry = expiryOf(shop, oldMac);

        move(shop, shop.routerId(), grantOf(shop, oldMac), Map.of("mac_address", newMac.toLowerCase()))
                .statusCode(200).body("from.mac_address", equalTo(oldMac)).body("from.state", equalTo("revoked"))
                .body("to.mac_address", equalTo(newMac)).body("to.state", equalTo("pending"))
                .body("to.last_payment_id", equalTo(payment)).body("merged", equalTo(false));

        Duration drift = Duration.between(expiry, expiryOf(shop, newMac)).abs();
        assertTrue(drift.compareTo(Duration.ofSeconds(2)) < 0, "the new MAC runs until the old expiry, not " + drift);
        shop.owner().withJwt().get("/routers/" + shop.routerId() + "/access/").then()
                .body("results.mac_address", equalTo(List.of(newMac)));
        shop.owner().withJwt().get("/payments/" + payment + "/events/").then()
                .body("events.type", hasItem("access_moved"))
                .body("events.find { it.type == 'access_moved' }.result_desc",
                        containsString("from " + oldMac + " to " + newMac));
    }

    @Test
    void movingOntoALiveGrantAddsTheTimeAfterItAtTheFasterRate() {
        Shop shop = Shop.simulated();
        String phoneMac = Shop.randomMac();
        String laptopMac = Shop.randomMac();
        paidFast(shop, phoneMac);
        paid(shop, laptopMac); // 1 hour at 5 down / 2 up
        Instant phoneExpiry = expiryOf(shop, phoneMac);
        Instant laptopExpiry = expiryOf(shop, laptopMac);

        move(shop, shop.routerId(), grantOf(shop, phoneMac), Map.of("mac_address", laptopMac)).statusCode(200)
                .body("merged", equalTo(true)).body("to.rate_limit", equalTo("4M/10M"));
        Duration added = Duration.between(laptopExpiry, expiryOf(shop, laptopMac));
        Duration phoneHadLeft = Duration.between(Instant.now(), phoneExpiry);
        assertTrue(added.minus(phoneHadLeft).abs().compareTo(Duration.ofSeconds(5)) < 0,
                "the laptop gained " + added + ", the phone had " + phoneHadLeft);
    }

    @Test
    void aPushRouterGetsTheNewMacAndLosesTheOld() {
        router = new FakeRouterOs();
        pushShop = Shop.pushingTo(router, "push", "hotspot-user");
        String oldMac = Shop.randomMac();
        String newMac = Shop.randomMac();
        paid(pushShop, oldMac);
        await().atMost(Duration.ofSeconds(15)).until(() -> named(oldMac).size() == 1);
        move(pushShop, pushShop.routerId(), grantOf(pushShop, oldMac), Map.of("mac_address", newMac)).statusCode(200);
        // Both ends queued in the move's own transaction, like a purchase's grant.
        assertEquals(List.of("grant " + oldMac, "revoke " + oldMac, "grant " + newMac), db.queryStrings(
                "SELECT kind || ' ' || mac_address FROM router_push_job WHERE router_id = ? AND mac_address IN (?, ?) "
                        + "ORDER BY id", pushShop.routerId(), oldMac, newMac));
        await().atMost(Duration.ofSeconds(15)).until(() -> named(oldMac).isEmpty() && named(newMac).size() == 1);
    }

    private List<Map<String, String>> named(String mac) {
        return router.rows("/ip/hotspot/user").stream().filter(r -> mac.equals(r.get("name"))).toList();
    }

    @Test
    void refusalsChangeNothing() {
        Shop shop = Shop.simulated();
        Shop stranger = Shop.simulated();
        String mac = Shop.randomMac();
        paid(shop, mac);
        long grant = grantOf(shop, mac);
        String before = db.rowJson("access_grant", grant);

        move(stranger, shop.routerId(), grant, Map.of("mac_address", Shop.randomMac())).statusCode(404);
        move(stranger, stranger.routerId(), grant, Map.of("mac_address", Shop.randomMac())).statusCode(404)
                .body("error", equalTo("Access grant not found"));
        long otherRouter = Fixtures.router(shop.owner());
        move(shop, otherRouter, grant, Map.of("mac_address", Shop.randomMac())).statusCode(404);
        move(shop, shop.routerId(), grant, Map.of("mac_address", "01:00:5E:00:00:01")).statusCode(400)
                .body("error", equalTo("Invalid MAC address format"));
        move(shop, shop.routerId(), grant, Map.of()).statusCode(400);
        move(shop, shop.routerId(), grant, Map.of("mac_address", mac)).statusCode(400);
        move(shop, shop.routerId(), grant, Map.of("mac_address", Shop.randomMac(), "ip_address", "300.1.1.1"))
                .statusCode(400);
        assertEquals(before, db.rowJson("access_grant", grant));

        db.update("UPDATE access_grant SET expires_at = now() - interval '1 second' WHERE id = ?", grant);
        move(shop, shop.routerId(), grant, Map.of("mac_address", Shop.randomMac())).statusCode(409)
                .body("error", containsString("no running time"));
        assertEquals(1, db.queryLong("SELECT count(*) FROM access_grant WHERE router_id = ?", shop.routerId()),
                "a refused move leaves no row for the new MAC");
    }

    @Test
    void aSlowerTopUpKeepsTheFasterRateForTheWholeStackedTime() {
        Shop shop = Shop.simulated();
        String mac = Shop.randomMac();
        paidFast(shop, mac);
        paid(shop, mac); // the 1 hour, 5 down / 2 up package, stacked after the 2 fast hours
        assertEquals("4M/10M", db.queryString("SELECT rate_limit FROM access_grant WHERE router_id = ? "
                + "AND mac_address = ?", shop.routerId(), mac));
        Duration total = Duration.between(Instant.now(), expiryOf(shop, mac));
        assertTrue(total.compareTo(Duration.ofMinutes(179)) > 0, "3 hours stacked, not " + total);

        // Once everything has run out, a new purchase starts at its own rate.
        db.update("UPDATE access_grant SET expires_at = now() - interval '1 second' WHERE router_id = ? "
                + "AND mac_address = ?", shop.routerId(), mac);
        paid(shop, mac);
        assertEquals("2M/5M", db.queryString("SELECT rate_limit FROM access_grant WHERE router_id = ? "
                + "AND mac_address = ?", shop.routerId(), mac));
    }
}
