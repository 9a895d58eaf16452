package org.hotspotbilling.payment;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole purchase with the built-in simulator: initiate, poll, settle, access granted. */
@QuarkusTest
class SimulatorFlowTest {

    @Inject
    Db db;

    @Test
    void paidPurchaseCompletesWithExpiryAndAGrantForTheDevice() {
        Shop shop = Shop.simulated();
        String mac = Shop.randomMac();
        String id = shop.initiate(shop.purchase("0712345678", mac.replace(':', '-').toLowerCase()))
                .statusCode(201)
                .body("message", equalTo("STK push initiated successfully"))
                .body("payment.status", equalTo("processing"))
                .body("payment.phone_number", equalTo("254712345678"))
                .body("payment.amount", equalTo("20.00"))
                .body("payment.mac_address", equalTo(mac))
                .body("intasend.payment_id", notNullValue())
                .body("intasend.invoice_id", notNullValue())
                .extract().path("payment.id");

        shop.checkStatus(id).statusCode(200).body("status", equalTo("processing"));
        Instant before = Instant.now();
        shop.simulate(id, 0).statusCode(200).body("status", equalTo("completed"));
        String expiry = shop.checkStatus(id).statusCode(200)
                .body("status", equalTo("completed"))
                .body("message", equalTo("Payment completed successfully!"))
                .body("package_expiry_time", notNullValue())
                .extract().path("package_expiry_time");
        Instant expires = Instant.parse(expiry);
        assertTrue(!expires.isBefore(before.plus(Duration.ofHours(1)).minusSeconds(5))
                && expires.isBefore(Instant.now().plus(Duration.ofHours(1)).plusSeconds(5)), expiry);

        assertEquals(1, db.queryLong("SELECT count(*) FROM access_grant WHERE router_id = ? AND mac_address = ? "
                + "AND state = 'pending' AND rate_limit = '2M/5M'", shop.routerId(), mac));
        shop.owner().withJwt().get("/payments/" + id + "/events/").then().statusCode(200)
                .body("events.type", hasItems("created", "push_sent", "succeeded", "access_granted"));
    }

    @Test
    void checkingACompletedPaymentNeverMovesItsExpiry() {
        Shop shop = Shop.simulated();
        String id = shop.paymentFor(Shop.randomMac());
        shop.simulate(id, 0).statusCode(200);
        String first = shop.checkStatus(id).extract().path("package_expiry_time");
        for (int i = 0; i < 3; i++) {
            shop.checkStatus(id).body("package_expiry_time", equalTo(first));
        }
        shop.simulate(id, 0).statusCode(200).body("package_expiry_time", equalTo(first));
    }

    @Test
    void aSecondPurchaseForARunningDeviceIsAddedAfterTheCurrentExpiry() {
        Shop shop = Shop.simulated();
        String mac = Shop.randomMac();
        String first = shop.paymentFor(mac);
        String firstExpiry = shop.simulate(first, 0).extract().path("package_expiry_time");
        String second = shop.paymentFor(mac);
        String secondExpiry = shop.simulate(second, 0).extract().path("package_expiry_time");
        assertEquals(Instant.parse(firstExpiry).plus(Duration.ofHours(1)), Instant.parse(secondExpiry));
        assertEquals(1, db.queryLong("SELECT count(*) FROM access_grant WHERE router_id = ? AND mac_address = ?",
                shop.routerId(), mac));
    }

    @Test
    void twoPaymentsOfANewDeviceCompletingAtOnceStackIntoOneGrant() throws Exception {
        Shop shop = Shop.simulated();
        String mac = Shop.randomMac();
        List<String> ids = List.of(shop.paymentFor(mac), shop.paymentFor(mac));
        Instant before = Instant.now();
        // Both race to write the device's first grant: one inserts it, the other waits and adds its hour after it.
        CyclicBarrier start = new CyclicBarrier(ids.size());
        ExecutorService pool = Executors.newFixedThreadPool(ids.size());
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (String id : ids) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return shop.simulate(id, 0).extract().statusCode();
                }));
            }
            for (Future<Integer> answer : answers) {
                assertEquals(200, answer.get());
            }
        } finally {
            pool.shutdownNow();
        }
        Instant expiry = db.queryInstant("SELECT expires_at FROM access_grant WHERE router_id = ? AND mac_address = ?",
                shop.routerId(), mac);
        assertTrue(!expiry.isBefore(before.plus(Duration.ofHours(2))) && expiry.isBefore(Instant.now().plus(
                Duration.ofHours(2))), expiry.toString());
        assertEquals(1, db.queryLong("SELECT count(*) FROM access_grant WHERE router_id = ? AND mac_address = ?",
                shop.routerId(), mac));
        // The grant names the payment that completed last, whose expiry is the grant's.
        assertEquals(expiry, db.queryInstant("SELECT p.package_expiry_time FROM payment p JOIN access_grant g ON "
                + "g.last_payment_id = p.id WHERE g.router_id = ? AND g.mac_address = ?", shop.routerId(), mac));
    }

    @Test
    void cancelledPromptFailsWithTheProviderCodeAndAHint() {
        Shop shop = Shop.simulated();
        String id = shop.paymentFor(Shop.randomMac());
        shop.simulate(id, 1032).statusCode(200).body("status", equalTo("failed"));
        shop.checkStatus(id).body("status", equalTo("failed")).body("recovery_hint", equalTo(
                "The customer cancelled the prompt: offer retry."));
        shop.owner().withJwt().get("/payments/" + id + "/events/").then()
                .body("events.find { it.type == 'failed' }.result_code", equalTo("1032"))
                .body("events.find { it.type == 'failed' }.result_desc", equalTo("Request cancelled by user"))
                .body("events.find { it.type == 'failed' }.status_to", equalTo("failed"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM access_grant WHERE last_payment_id = ?::uuid", id));
    }

    @Test
    void aSuccessAfterAFailureStillCompletesAsALateSuccess() {
        Shop shop = Shop.simulated();
        String id = shop.paymentFor(Shop.randomMac());
        shop.simulate(id, 1037).body("status", equalTo("failed"));
        shop.simulate(id, 0).body("status", equalTo("completed"));
        shop.owner().withJwt().get("/payments/" + id + "/events/").then()
                .body("events.type", hasItems("failed", "late_success", "access_granted"));
    }

    @Test
    void anOwnersPurchaseWithoutAMacCompletesWithoutAGrantAndSaysWhy() {
        Shop shop = Shop.simulated();
        // Only an owner caller may leave the device out (a portal call without it is a 400: InitiateRulesTest).
        String id = shop.owner().withJwt().body(shop.purchase("+254712345678", null))
                .post("/payments/intasend/initiate/").then().statusCode(201)
                .body("payment.mac_address", nullValue()).extract().path("payment.id");
        shop.simulate(id, 0).body("status", equalTo("completed"));
        shop.owner().withJwt().get("/payments/" + id + "/events/").then()
                .body("events.type", contains("created", "push_sent", "succeeded", "access_not_granted"));
    }
}
