package org.hotspotbilling.overview;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The overview's {@code webhooks} area: the owner's own endpoints and deliveries (docs/overview.md). */
@QuarkusTest
class OverviewWebhooksTest {

    @Inject
    Db db;

    private static JsonPath overview(TestOwner owner) {
        return owner.withJwt().get("/payments/overview/").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aDeliveryThatFailsForGoodAndItsDisabledEndpointShow() {
        Shop shop = Shop.simulated();
        // Nobody listens on port 9: every attempt of the (short, in tests) schedule fails, then the endpoint is
        // disabled, nothing having reached it.
        shop.owner().withJwt().body(Map.of("url", "http://127.0.0.1:9/hooks", "event_types",
                List.of("payment.created"))).post("/webhooks/endpoints/").then().statusCode(201);
        shop.paymentFor(Shop.randomMac());
        await().atMost(Duration.ofSeconds(20)).until(() -> overview(shop.owner()).getInt("webhooks.deliveries_failed")
                == 1);
        JsonPath answer = overview(shop.owner());
        assertEquals(1, answer.getInt("webhooks.endpoints"));
        assertEquals(1, answer.getInt("webhooks.endpoints_disabled"));
        assertEquals(0, answer.getInt("webhooks.deliveries_queued"));
        assertEquals(0, answer.getInt("webhooks.deliveries_retrying"));
        assertNull(answer.get("webhooks.last_success_at"));
        // Another owner's endpoints and deliveries are never counted.
        JsonPath fresh = overview(Owners.register());
        assertEquals(Map.of("endpoints", 0, "endpoints_disabled", 0, "deliveries_queued", 0,
                "deliveries_retrying", 0, "deliveries_failed", 0), withoutNulls(fresh.getMap("webhooks")));
    }

    @Test
    void waitingDeliveriesAreSplitIntoNewAndRetrying() {
        TestOwner owner = Owners.register();
        // An endpoint with deliveries due only tomorrow, so no worker touches them while the test reads.
        db.update("INSERT INTO webhook_endpoint (owner_id, url, event_types, secret_ciphertext, last_success_at, "
                + "created_at, updated_at) VALUES (?, 'https://hooks.isp.example/in', '{payment.created}', "
                + "'\\x00'::bytea, now() - interval '1 hour', now(), now())", owner.id());
        long endpoint = db.queryLong("SELECT id FROM webhook_endpoint WHERE owner_id = ?", owner.id());
        for (int attempts : new int[] {0, 0, 3}) {
            String event = "evt_test" + System.nanoTime();
            db.update("INSERT INTO webhook_event (id, owner_id, type, payload, created_at) VALUES (?, ?, "
                    + "'payment.created', '{}', now())", event, owner.id());
            db.update("INSERT INTO webhook_delivery (endpoint_id, event_id, owner_id, state, attempts, "
                    + "next_attempt_at, created_at) VALUES (?, ?, ?, 'queued', ?, now() + interval '1 day', now())",
                    endpoint, event, owner.id(), attempts);
        }
        JsonPath answer = overview(owner);
        assertEquals(2, answer.getInt("webhooks.deliveries_queued"));
        assertEquals(1, answer.getInt("webhooks.deliveries_retrying"));
        assertEquals(0, answer.getInt("webhooks.endpoints_disabled"));
        assertNotNull(answer.get("webhooks.last_success_at"));
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> map) {
        Map<String, Object> kept = new java.util.HashMap<>(map);
        kept.values().removeIf(java.util.Objects::isNull);
        return kept;
    }
}
