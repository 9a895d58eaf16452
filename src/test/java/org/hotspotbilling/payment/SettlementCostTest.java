package org.hotspotbilling.payment;

import io.quarkus.test.junit.QuarkusTest;
import org.hotspotbilling.testing.Shop;
import org.hotspotbilling.testing.StatementLog;
import org.hotspotbilling.testing.TransactionLog;
import org.hotspotbilling.web.RequestIds;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a settlement costs the database (docs/payments-rules.md, "What a settlement costs"): a simulated callback
 * reads, settles and answers in one transaction; a device's first grant on a router is one statement; a completed
 * payment's check-status is one transaction of two reads.
 */
@QuarkusTest
class SettlementCostTest {

    /** A simulated success for a device the router has never seen: the test fails on any statement added. */
    private static final Map<String, Integer> FIRST_GRANT = Map.of(
            "select from payment", 2,                // the owner's check, then the same row under its lock
            "INSERT INTO access_grant", 1,           // the grant, written as it ends up
            "INSERT INTO router_push_job", 1,        // inserts nothing for a router that polls
            "SELECT payment_event_record", 2,        // succeeded, access_granted, each with its webhook event
            "select from access_grant", 1,           // the answer's access state
            "update payment", 1);

    private static String requestId() {
        return "stmt-" + UUID.randomUUID();
    }

    private static void simulate(Shop shop, String requestId, String paymentId) {
        shop.owner().withJwt().header(RequestIds.HEADER, requestId).body(Map.of("result_code", 0))
                .post("/payments/" + paymentId + "/simulate-callback/").then().statusCode(200)
                .body("status", equalTo("completed")).body("access.state", equalTo("pending"));
    }

    @Test
    void aSimulatedSuccessCommitsOnceAndANewDevicesGrantIsOneStatement() {
        Shop shop = Shop.simulated();
        String payment = shop.paymentFor(Shop.randomMac());
        String id = requestId();
        simulate(shop, id, payment);
        assertEquals(List.of("committed"), TransactionLog.of(id));
        assertEquals(new TreeMap<>(FIRST_GRANT), StatementLog.kinds(id));
    }

    @Test
    void aTopUpLocksTheDevicesRowAndUpdatesIt() {
        Shop shop = Shop.simulated();
        String mac = Shop.randomMac();
        shop.simulate(shop.paymentFor(mac), 0).statusCode(200);
        String id = requestId();
        simulate(shop, id, shop.paymentFor(mac));
        assertEquals(List.of("committed"), TransactionLog.of(id));
        Map<String, Integer> kinds = StatementLog.kinds(id);
        // The insert finds the row and writes nothing; the row is then locked, changed, and read for the answer.
        assertEquals(1, kinds.get("INSERT INTO access_grant"), kinds.toString());
        assertEquals(2, kinds.get("select from access_grant"), kinds.toString());
        assertEquals(1, kinds.get("update access_grant"), kinds.toString());
    }

    @Test
    void aSimulatedFailureCommitsOnce() {
        Shop shop = Shop.simulated();
        String payment = shop.paymentFor(Shop.randomMac());
        String id = requestId();
        shop.owner().withJwt().header(RequestIds.HEADER, id).body(Map.of("result_code", 1032))
                .post("/payments/" + payment + "/simulate-callback/").then().statusCode(200)
                .body("status", equalTo("failed"));
        assertEquals(List.of("committed"), TransactionLog.of(id));
    }

    @Test
    void aCompletedPaymentsCheckStatusIsOneTransactionOfTwoReads() {
        Shop shop = Shop.simulated();
        String payment = shop.paymentFor(Shop.randomMac());
        shop.simulate(payment, 0).statusCode(200);
        String id = requestId();
        shop.owner().asPortal().header(RequestIds.HEADER, id).post("/payments/intasend/" + payment + "/check-status/")
                .then().statusCode(200).body("status", equalTo("completed"));
        assertEquals(List.of("committed"), TransactionLog.of(id));
        assertEquals(new TreeMap<>(Map.of("select from payment", 1, "select from access_grant", 1)),
                StatementLog.kinds(id));
    }
}
