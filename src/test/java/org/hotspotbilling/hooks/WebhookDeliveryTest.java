package org.hotspotbilling.hooks;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.hotspotbilling.payment.PaymentEvent.Source;
import org.hotspotbilling.payment.PaymentSettlement;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Shop;
import org.hotspotbilling.testing.WebhookReceiver;
import org.hotspotbilling.testing.WebhookReceiver.Received;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Payment events reach subscribed endpoints signed per Standard Webhooks, written in the transaction of the change;
 * failed attempts are retried on the schedule, a persistently failing endpoint is disabled, events can be replayed.
 */
@QuarkusTest
class WebhookDeliveryTest {

    private static final String BASE = "/webhooks/endpoints/";
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @Inject
    Db db;

    @Inject
    PaymentSettlement settlement;

    @Inject
    WebhookOutbox outbox;

    private final WebhookReceiver receiver = new WebhookReceiver();

    @AfterEach
    void close() {
        receiver.close();
    }

    private static JsonPath register(Shop shop, String url, String... types) {
        return WebhookEndpointsTest.create(shop.owner(), WebhookEndpointsTest.endpoint(url, types));
    }

    private static void pay(Shop shop, String paymentId) {
        shop.owner().withJwt().body(Map.of("result_code", 0)).post("/payments/" + paymentId + "/simulate-callback/")
                .then().statusCode(200);
    }

    @Test
    void paymentEventsReachSubscribedEndpointsSignedWithTheLibrary() throws Exception {
        Shop shop = Shop.simulated();
        String secret = register(shop, receiver.url(), "payment.created", "payment.succeeded").getString("secret");
        try (WebhookReceiver other = new WebhookReceiver()) {
            Shop otherShop = Shop.simulated();
            register(otherShop, other.url(), "payment.created", "payment.succeeded");

            String paymentId = shop.paymentFor(Shop.randomMac());
            pay(shop, paymentId);

            await().atMost(PATIENCE).until(() -> receiver.received().size() >= 2);
            Received created = receiver.ofType("payment.created").get(0);
            Received succeeded = receiver.ofType("payment.succeeded").get(0);
            created.verify(secret);
            succeeded.verify(secret);
            assertFalse(created.verifies("whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32])),
                    "another secret does not verify");
            JsonPath body = succeeded.json();
            assertEquals(succeeded.id(), body.getString("id"));
            assertTrue(body.getString("id").startsWith("evt_"));
            assertEquals(paymentId, body.getString("data.payment_id"));
            assertEquals("completed", body.getString("data.status"));
            assertEquals("20.00", body.getString("data.amount"));
            assertEquals(shop.routerId(), body.getLong("data.router_id"));
            assertTrue(body.getString("created_at").endsWith("Z"));
            // Not subscribed: the prompt being sent (payment.pending_user_action) is recorded but not delivered.
            assertEquals(1, db.queryLong("SELECT count(*) FROM webhook_event WHERE owner_id = ? "
                    + "AND type = 'payment.pending_user_action' AND payload LIKE ?", shop.owner().id(),
                    "%" + paymentId + "%"));
            Thread.sleep(500); // nothing else is on its way
            assertEquals(2, receiver.received().size(), "only subscribed types, each once");
            assertTrue(other.received().isEmpty(), "another owner's endpoint hears nothing of this payment");
        }
        long endpointId = db.queryLong("SELECT id FROM webhook_endpoint WHERE owner_id = ?", shop.owner().id());
        shop.owner().withJwt().get(BASE + endpointId + "/deliveries/").then().statusCode(200)
                .body("state", equalTo(List.of("delivered", "delivered")));
        shop.owner().withJwt().get(BASE + endpointId + "/attempts/").then().statusCode(200)
                .body("status_code", equalTo(List.of(200, 200)))
                .body("response[0]", equalTo("answered 200"));
    }

    @Test
    void aRolledBackChangeWritesNoEventAndACommittedOneDoes() {
        Shop shop = Shop.simulated();
        register(shop, receiver.url(), "payment.failed");
        String paymentId = shop.paymentFor(Shop.randomMac());
        UUID id = UUID.fromString(paymentId);

        assertThrows(IllegalStateException.class, () -> QuarkusTransaction.requiringNew().run(() -> {
            settlement.fail(id, Source.owner, "1032", "Cancelled by the customer");
            throw new IllegalStateException("something later in the same transaction failed");
        }));
        assertEquals("processing", db.queryString("SELECT status FROM payment WHERE id = ?", id));
        assertEquals(0, failedEvents(paymentId));
        assertEquals(0, db.queryLong("SELECT count(*) FROM webhook_delivery d JOIN webhook_event e "
                + "ON e.id = d.event_id WHERE e.type = 'payment.failed' AND e.payload LIKE ?", "%" + paymentId + "%"));

        settlement.fail(id, Source.owner, "1032", "Cancelled by the customer");
        assertEquals(1, failedEvents(paymentId));
        await().atMost(PATIENCE).until(() -> receiver.ofType("payment.failed").size() == 1);
        JsonPath data = receiver.ofType("payment.failed").get(0).json();
        assertEquals("1032", data.getString("data.provider_result_code"));
        assertEquals("failed", data.getString("data.status"));
        assertTrue(data.getString("data.recovery_hint").contains("cancelled"));
    }

    private long failedEvents(String paymentId) {
        return db.queryLong("SELECT count(*) FROM webhook_event WHERE type = 'payment.failed' AND payload LIKE ?",
                "%" + paymentId + "%");
    }

    @Test
    void failedAttemptsAreRetriedOnTheScheduleUntilA2xx() {
        Shop shop = Shop.simulated();
        long endpointId = register(shop, receiver.url(), "payment.created").getLong("id");
        receiver.answer(500, 302);

        shop.paymentFor(Shop.randomMac());

        await().atMost(PATIENCE).until(() -> receiver.received().size() == 3);
        List<Received> got = receiver.received();
        assertEquals(1, got.stream().map(Received::id).distinct().count(), "one event id on every attempt");
        // %test schedule 300ms, 600ms with ±20% jitter: never sooner than 240 ms and 480 ms
        assertTrue(Duration.between(got.get(0).at(), got.get(1).at()).toMillis() >= 240);
        assertTrue(Duration.between(got.get(1).at(), got.get(2).at()).toMillis() >= 480);
        await().atMost(PATIENCE).untilAsserted(() -> shop.owner().withJwt().get(BASE + endpointId + "/deliveries/")
                .then().body("state[0]", equalTo("delivered")).body("attempts[0]", equalTo(3)));
        shop.owner().withJwt().get(BASE + endpointId + "/attempts/").then()
                .body("status_code", equalTo(List.of(200, 302, 500)))
                .body("response", equalTo(List.of("answered 200", "answered 302", "answered 500")));
    }

    @Test
    void aTimeoutIsAFailedAttempt() {
        Shop shop = Shop.simulated();
        long endpointId = register(shop, receiver.url(), "payment.created").getLong("id");
        receiver.delay(Duration.ofMillis(1500)); // %test read timeout 1s

        shop.paymentFor(Shop.randomMac());

        awaitTimedOutAttempt(shop, endpointId);
        receiver.delay(Duration.ZERO);
        await().atMost(PATIENCE).untilAsserted(() -> shop.owner().withJwt().get(BASE + endpointId + "/deliveries/")
                .then().body("state[0]", equalTo("delivered")));
    }

    /** The endpoint's last attempt ended without an answer: "timed out", no status code. */
    private static void awaitTimedOutAttempt(Shop shop, long endpointId) {
        await().atMost(PATIENCE).untilAsserted(() -> shop.owner().withJwt().get(BASE + endpointId + "/attempts/")
                .then().body("size()", org.hamcrest.Matchers.greaterThanOrEqualTo(1))
                .body("status_code[-1]", nullValue())
                .body("error[-1]", org.hamcrest.Matchers.startsWith("timed out")));
    }

    @Test
    void anAnswerThatStallsAfterItsHeadersIsATimeout() {
        Shop shop = Shop.simulated();
        long endpointId = register(shop, receiver.url(), "payment.created").getLong("id");
        receiver.stallBody(Duration.ofSeconds(5)); // %test connect + read timeout: 2s

        shop.paymentFor(Shop.randomMac());

        awaitTimedOutAttempt(shop, endpointId);
        receiver.stallBody(Duration.ZERO);
    }

    @Test
    void anEndpointThatKeepsFailingIsDisabledAndTheOwnerTold() {
        Shop shop = Shop.simulated();
        long endpointId = register(shop, receiver.url(), "payment.created").getLong("id");
        receiver.answerAlways(503);

        shop.paymentFor(Shop.randomMac());

        await().atMost(PATIENCE).untilAsserted(() -> shop.owner().withJwt().get(BASE + endpointId + "/").then()
                .body("enabled", equalTo(false)).body("disabled_reason", notNullValue())
                .body("disabled_at", notNullValue()));
        assertEquals(3, receiver.received().size(), "the first attempt and one per step of the schedule");
        shop.owner().withJwt().get(BASE + endpointId + "/deliveries/").then()
                .body("state", equalTo(List.of("failed"))).body("last_status", equalTo(List.of(503)));
        String event = db.queryString("SELECT payload FROM webhook_event WHERE owner_id = ? "
                + "AND type = 'endpoint.disabled'", shop.owner().id());
        assertTrue(event != null && event.contains("\"endpoint_id\": " + endpointId), event);

        // Disabled: new events get no delivery, replays are refused until the owner enables it again.
        shop.paymentFor(Shop.randomMac());
        assertEquals(1, db.queryLong("SELECT count(*) FROM webhook_delivery WHERE endpoint_id = ?", endpointId));
        shop.owner().withJwt().body(Map.of("since", "2020-01-01T00:00:00Z")).post(BASE + endpointId + "/replay/")
                .then().statusCode(409);
        receiver.answerAlways(200);
        shop.owner().withJwt().body(Map.of("enabled", true)).patch(BASE + endpointId + "/").then().statusCode(200)
                .body("disabled_reason", nullValue());
        shop.owner().withJwt().body(Map.of("since", "2020-01-01T00:00:00Z")).post(BASE + endpointId + "/replay/")
                .then().statusCode(202).body("queued", equalTo(2));
        await().atMost(PATIENCE).until(() -> receiver.received().stream().map(Received::id).distinct().count() == 2);
    }

    @Test
    void replayOneEventOrEverythingSince() throws Exception {
        Shop shop = Shop.simulated();
        String secret = register(shop, receiver.url(), "payment.created").getString("secret");
        long endpointId = db.queryLong("SELECT id FROM webhook_endpoint WHERE owner_id = ?", shop.owner().id());
        Instant start = Instant.now().minusSeconds(1);
        shop.paymentFor(Shop.randomMac());
        shop.paymentFor(Shop.randomMac());
        await().atMost(PATIENCE).until(() -> receiver.received().size() == 2);
        String first = receiver.received().get(0).id();

        shop.owner().withJwt().body(Map.of("event_id", first)).post(BASE + endpointId + "/replay/").then()
                .statusCode(202).body("queued", equalTo(1));
        await().atMost(PATIENCE).until(() -> receiver.received().size() == 3);
        Received replayed = receiver.received().get(2);
        assertEquals(first, replayed.id(), "the same event id: receivers deduplicate");
        replayed.verify(secret);

        shop.owner().withJwt().body(Map.of("since", start.toString())).post(BASE + endpointId + "/replay").then()
                .statusCode(202).body("queued", equalTo(2));
        await().atMost(PATIENCE).until(() -> receiver.received().size() == 5);
        shop.owner().withJwt().body(Map.of("since", Instant.now().plusSeconds(60).toString()))
                .post(BASE + endpointId + "/replay/").then().statusCode(202).body("queued", equalTo(0));

        // Bad input, and another owner's event, change nothing.
        long deliveries = db.count("webhook_delivery");
        Shop other = Shop.simulated();
        register(other, receiver.url(), "payment.created");
        other.paymentFor(Shop.randomMac());
        await().atMost(PATIENCE).until(() -> receiver.received().size() == 6);
        String othersEvent = receiver.received().get(5).id();
        deliveries = db.count("webhook_delivery");
        shop.owner().withJwt().body(Map.of("event_id", othersEvent)).post(BASE + endpointId + "/replay/").then()
                .statusCode(404);
        shop.owner().withJwt().body(Map.of("event_id", "evt_nope")).post(BASE + endpointId + "/replay/").then()
                .statusCode(404);
        shop.owner().withJwt().body(Map.of("since", "yesterday")).post(BASE + endpointId + "/replay/").then()
                .statusCode(400).body("error", notNullValue());
        shop.owner().withJwt().body(Map.of("since", start.toString(), "event_id", first))
                .post(BASE + endpointId + "/replay/").then().statusCode(400);
        shop.owner().withJwt().body(Map.of()).post(BASE + endpointId + "/replay/").then().statusCode(400);
        shop.owner().withJwt().post(BASE + endpointId + "/replay/").then().statusCode(400);
        assertEquals(deliveries, db.count("webhook_delivery"));
        // Another owner cannot see this endpoint's deliveries.
        other.owner().withJwt().get(BASE + endpointId + "/deliveries/").then().statusCode(404);
    }

    @Test
    void afterRotationBothSecretsSignDuringTheOverlap() throws Exception {
        Shop shop = Shop.simulated();
        JsonPath created = register(shop, receiver.url(), "payment.created");
        long endpointId = created.getLong("id");
        String newSecret = shop.owner().withJwt().post(BASE + endpointId + "/rotate-secret/").then().statusCode(200)
                .extract().path("secret");

        shop.paymentFor(Shop.randomMac());

        await().atMost(PATIENCE).until(() -> receiver.received().size() == 1);
        Received got = receiver.received().get(0);
        assertEquals(2, got.signature().split(" ").length, got.signature());
        got.verify(created.getString("secret"));
        got.verify(newSecret);

        db.update("UPDATE webhook_endpoint SET previous_secret_until = now() - interval '1 second' WHERE id = ?",
                endpointId);
        shop.paymentFor(Shop.randomMac());
        await().atMost(PATIENCE).until(() -> receiver.received().size() == 2);
        Received after = receiver.received().get(1);
        after.verify(newSecret);
        assertFalse(after.verifies(created.getString("secret")), "the old secret stops signing after the overlap");

        // A previous secret this keyset cannot open (a rotation that replaced an unreadable one) is left out.
        db.update("UPDATE webhook_endpoint SET previous_secret_ciphertext = '\\x00'::bytea, "
                + "previous_secret_until = now() + interval '1 hour' WHERE id = ?", endpointId);
        shop.paymentFor(Shop.randomMac());
        await().atMost(PATIENCE).until(() -> receiver.received().size() == 3);
        Received third = receiver.received().get(2);
        assertEquals(1, third.signature().split(" ").length, third.signature());
        third.verify(newSecret);
    }

    @Test
    void eventsPastTheRetentionAreDeletedUnlessADeliveryIsStillQueued() {
        Shop shop = Shop.simulated();
        long endpointId = register(shop, receiver.url(), "payment.created").getLong("id");
        shop.paymentFor(Shop.randomMac());
        shop.paymentFor(Shop.randomMac());
        await().atMost(PATIENCE).until(() -> db.queryLong("SELECT count(*) FROM webhook_delivery "
                + "WHERE endpoint_id = ? AND state = 'delivered'", endpointId) == 2);
        List<String> events = db.queryStrings("SELECT event_id FROM webhook_delivery WHERE endpoint_id = ? "
                + "ORDER BY id", endpointId);
        db.update("UPDATE webhook_event SET created_at = now() - interval '40 days' WHERE id = ? OR id = ?",
                events.get(0), events.get(1));
        db.update("UPDATE webhook_delivery SET state = 'queued', next_attempt_at = now() + interval '1 day' "
                + "WHERE event_id = ?", events.get(1));

        outbox.prune(Instant.now().minus(Duration.ofDays(30)));

        assertEquals(0, db.queryLong("SELECT count(*) FROM webhook_event WHERE id = ?", events.get(0)));
        assertEquals(0, db.queryLong("SELECT count(*) FROM webhook_attempt a JOIN webhook_delivery d "
                + "ON d.id = a.delivery_id WHERE d.event_id = ?", events.get(0)));
        assertEquals(1, db.queryLong("SELECT count(*) FROM webhook_event WHERE id = ?", events.get(1)),
                "a delivery still queued keeps its event");
    }
}
