package org.hotspotbilling.payment;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Shop;
import org.hotspotbilling.testing.StatementLog;
import org.hotspotbilling.testing.TransactionLog;
import org.hotspotbilling.web.RequestIds;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What one purchase costs the database (docs/payments.md, "Initiate"): two commits, with or without an
 * Idempotency-Key: the payment with its rate-limit tokens (and the key's claim), then the provider's answer (and the
 * key's stored answer); and no statement it does not need.
 */
@QuarkusTest
class InitiateCostTest {

    /** The statements of a purchase without a key, by their first words: the test fails on any one added. */
    private static final Map<String, Integer> WITHOUT_KEY = Map.of(
            "select from plan", 1,                   // the package, with its owner (validation)
            "select from payment_credential", 1,     // the portal's credential (validation)
            "SELECT rate_limit_take", 1,             // the four buckets' tokens
            "insert into payment", 1,
            "SELECT payment_event_record", 2,        // created, push_sent, each with its webhook event
            "select from payment", 1,                // the row lock before the provider's answer is applied
            "update payment", 1);

    @Inject
    Db db;

    private static ExtractableResponse<Response> purchase(Shop shop, String path, String requestId, String key) {
        var request = shop.owner().asPortal().header(RequestIds.HEADER, requestId).body(shop.purchase(Shop.phone()));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return request.post(path).then().extract();
    }

    /** A shop whose public key has been read once and is kept (a portal's first call reads it). */
    private static Shop shop() {
        Shop shop = Shop.simulated();
        shop.owner().asPortal().get("/routers/" + shop.routerId() + "/packages/").then().statusCode(200);
        return shop;
    }

    @Test
    void anInitiateCommitsTwiceAndRunsNoStatementItDoesNotNeed() {
        Shop shop = shop();
        String id = "stmt-" + UUID.randomUUID();
        assertEquals(201, purchase(shop, "/payments/intasend/initiate/", id, null).statusCode());
        assertEquals(List.of("committed", "committed"), TransactionLog.of(id));
        assertEquals(new TreeMap<>(WITHOUT_KEY), StatementLog.kinds(id));
    }

    @Test
    void withAnIdempotencyKeyItStillCommitsTwiceAndTheKeyCostsThreeStatements() {
        Shop shop = shop();
        for (String path : List.of("/payments/intasend/initiate/", "/payments/intasend/create-link/")) {
            String id = "stmt-" + UUID.randomUUID();
            String key = UUID.randomUUID().toString();
            ExtractableResponse<Response> first = purchase(shop, path, id, key);
            assertEquals(201, first.statusCode(), first.asString());
            assertEquals(List.of("committed", "committed"), TransactionLog.of(id), path);
            Map<String, Integer> kinds = StatementLog.kinds(id);
            // The claim, the payment recorded on it, the answer stored on it.
            assertEquals(1, kinds.get("INSERT INTO idempotency_key"), path + ": " + kinds);
            assertEquals(2, kinds.get("UPDATE idempotency_key"), path + ": " + kinds);
            assertEquals(first.<String>path("payment.id"), db.queryString("SELECT payment_id::text FROM "
                    + "idempotency_key WHERE owner_id = ? AND idem_key = ?", shop.owner().id(), key));
            assertEquals(201L, db.queryLong("SELECT response_status FROM idempotency_key WHERE owner_id = ? AND "
                    + "idem_key = ?", shop.owner().id(), key));
        }
    }
}
