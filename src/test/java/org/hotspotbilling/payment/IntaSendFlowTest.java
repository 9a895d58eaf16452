package org.hotspotbilling.payment;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.IntaSendFake;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Payments through IntaSend, faked at the HTTP edge: every outcome of SPEC "Provider outcomes". */
@QuarkusTest
class IntaSendFlowTest {

    @Inject
    Db db;

    @Inject
    Reconciler reconciler;

    static String phone() {
        return "2547" + String.format("%08d", ThreadLocalRandom.current().nextInt(100_000_000));
    }

    static String invoice() {
        return "INV" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36).toUpperCase();
    }

    /** A sandbox payment whose push IntaSend accepted: the shop, the invoice and our payment id. */
    record Sent(Shop shop, String invoice, String id) {
    }

    static Sent sentPayment() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        String invoice = invoice();
        IntaSendFake.pushAccepted(phone, invoice);
        return new Sent(shop, invoice, shop.paymentViaPhone(phone));
    }

    private long events(String paymentId, String type) {
        return db.queryLong("SELECT count(*) FROM payment_event WHERE payment_id = ?::uuid AND type = ?", paymentId, type);
    }

    /** A webhook's confirmation runs after its answer: wait for the payment to reach a status. */
    private void awaitStatus(String paymentId, String status) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(status,
                db.queryString("SELECT status FROM payment WHERE id = ?::uuid", paymentId)));
    }

    /** Waits until IntaSend's status API has been asked about an invoice {@code calls} times. */
    private static void awaitStatusCalls(String invoice, int calls) {
        await().atMost(Duration.ofSeconds(10)).until(() -> IntaSendFake.statusCallsFor(invoice).size() >= calls);
    }

    /** As if the portal's status-min-interval had passed since the provider was last asked about the payment. */
    private void intervalPassed(String paymentId) {
        db.update("UPDATE payment SET provider_checked_at = NULL WHERE id = ?::uuid", paymentId);
    }

    @Test
    void pushIsSentAsIntaSendExpectsAndCompletesOnceConfirmed() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        String invoice = invoice();
        IntaSendFake.pushAccepted(phone, invoice);
        String id = shop.initiate(shop.purchase(phone, Shop.randomMac())).statusCode(201)
                .body("intasend.invoice_id", equalTo(invoice))
                .body("intasend.payment_id", equalTo(invoice + "-session"))
                .body("intasend.state", equalTo("PENDING"))
                .body("payment.status", equalTo("processing"))
                .extract().path("payment.id");

        LoggedRequest push = IntaSendFake.pushesFor(phone).get(0);
        assertTrue(push.getHeader("Authorization").startsWith("Bearer ISSecretKey_test_"));
        assertTrue(push.getHeader("INTASEND_PUBLIC_API_KEY").startsWith("ISPubKey_test_"));
        String body = push.getBodyAsString();
        assertTrue(body.contains("\"api_ref\":\"" + id + "\"") && body.contains("\"method\":\"M-PESA\"")
                && body.contains("\"amount\":20.00") && body.contains("\"currency\":\"KES\"")
                && body.contains("\"public_key\":\"ISPubKey_test_"), body);

        IntaSendFake.status(invoice, "PROCESSING", id, "\"20.00\"", null, null);
        shop.checkStatus(id).statusCode(200).body("status", equalTo("processing")).body("state", equalTo("PROCESSING"));
        IntaSendFake.status(invoice, "COMPLETE", id, "20", null, null);
        intervalPassed(id);
        shop.checkStatus(id).statusCode(200).body("status", equalTo("completed"))
                .body("package_expiry_time", notNullValue());
        int calls = IntaSendFake.statusCallsFor(invoice).size();
        shop.checkStatus(id).body("status", equalTo("completed"));
        assertEquals(calls, IntaSendFake.statusCallsFor(invoice).size(), "a completed payment needs no provider call");
        assertEquals(1, events(id, "succeeded"));
    }

    @Test
    void failureReportedByIntaSendCarriesItsCodeAndHint() {
        Sent sent = sentPayment();
        Shop shop = sent.shop();
        String invoice = sent.invoice();
        String id = sent.id();
        IntaSendFake.status(invoice, "FAILED", id, "\"20.00\"", "1037", "DS timeout user cannot be reached");
        shop.checkStatus(id).body("status", equalTo("failed"))
                .body("recovery_hint", equalTo("The phone could not be reached: ask the customer to retry with the phone unlocked."));
    }

    @Test
    void aRejectedPushFailsThePaymentAndAnswers502() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        IntaSendFake.pushAnswers(phone, IntaSendFake.validationError("phone_number", "Enter a valid phone number"));
        String id = shop.initiate(shop.purchase(phone)).statusCode(502)
                .body("error", containsString("phone_number: Enter a valid phone number"))
                .body("payment_id", notNullValue())
                .extract().path("payment_id");
        assertEquals("failed", db.queryString("SELECT status FROM payment WHERE id = ?::uuid", id));
        assertEquals(1, events(id, "failed"));
    }

    @ParameterizedTest(name = "{0} on push leaves the payment open")
    @ValueSource(strings = { "500", "503", "timeout", "reset", "garbage" })
    void anUnknownOutcomeKeepsThePaymentOpenAndAnswers202(String fault) {
        Shop shop = Shop.sandbox();
        String phone = phone();
        IntaSendFake.pushAnswers(phone, switch (fault) {
            case "timeout" -> IntaSendFake.slow(2500);
            case "reset" -> IntaSendFake.reset();
            case "garbage" -> IntaSendFake.json(200, "<html>gateway</html>");
            default -> IntaSendFake.json(Integer.parseInt(fault), "{\"detail\":\"maintenance\"}");
        });
        String id = shop.initiate(shop.purchase(phone, Shop.randomMac())).statusCode(202)
                .body("message", containsString("keep checking status"))
                .body("intasend.payment_id", notNullValue())
                .body("payment.status", equalTo("processing"))
                .extract().path("payment.id");
        assertEquals(1, events(id, "requires_recovery"));
        assertEquals(0, events(id, "failed"));
        shop.checkStatus(id).body("status", equalTo("processing"));
    }

    @Test
    void anUnknownOutcomeIsSettledByTheWebhookMatchedOnApiRef() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        String invoice = invoice();
        IntaSendFake.pushAnswers(phone, IntaSendFake.json(500, "{}"));
        String id = shop.initiate(shop.purchase(phone, Shop.randomMac())).statusCode(202).extract().path("payment.id");
        String challenge = shop.webhookChallenge();
        IntaSendFake.status(invoice, "COMPLETE", id, "\"20.00\"", null, null);
        shop.webhook(Map.of("invoice_id", invoice, "state", "COMPLETE", "api_ref", id, "value", 20,
                "challenge", challenge)).statusCode(200).body("payment_id", equalTo(id));
        awaitStatus(id, "completed");
        shop.checkStatus(id).body("status", equalTo("completed"));
    }

    @Test
    void aPaymentTheProviderNeverToldUsAboutStaysOpenForTheOwnerAndAWebhookStillSettlesIt() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        IntaSendFake.pushAnswers(phone, IntaSendFake.reset());
        String id = shop.initiate(shop.purchase(phone, Shop.randomMac())).statusCode(202).extract().path("payment.id");
        reconciler.runOnce(Instant.now().plus(Duration.ofHours(3)));
        // No invoice and no word from IntaSend: nothing to ask it by, so it is never failed on a guess.
        shop.checkStatus(id).body("status", equalTo("processing"));
        shop.owner().withJwt().get("/payments/" + id + "/").then().body("attention", equalTo(Reconciler.NEVER_TOLD));
        assertEquals(2, events(id, "requires_recovery"), "the unknown push, then the owner's turn");
        reconciler.runOnce(Instant.now().plus(Duration.ofHours(4)));
        assertEquals(2, events(id, "requires_recovery"), "said once");

        String invoice = invoice();
        IntaSendFake.status(invoice, "COMPLETE", id, "\"20.00\"", null, null);
        shop.webhook(Map.of("invoice_id", invoice, "state", "COMPLETE", "api_ref", id, "challenge",
                shop.webhookChallenge())).statusCode(200);
        awaitStatus(id, "completed");
        shop.owner().withJwt().get("/payments/" + id + "/events/").then()
                .body("events.type", hasItems("requires_recovery", "webhook_received", "succeeded", "access_granted"));
        shop.owner().withJwt().get("/payments/" + id + "/").then().body("attention", equalTo(null));
    }

    @Test
    void aLostWebhookIsSettledByTheReconcilerWithBackoffWhileStillPending() {
        Sent sent = sentPayment();
        Shop shop = sent.shop();
        String invoice = sent.invoice();
        String id = sent.id();
        IntaSendFake.status(invoice, "PENDING", id, "\"20.00\"", null, null);
        Instant later = Instant.now().plus(Duration.ofMinutes(2));
        reconciler.runOnce(later);
        assertEquals("processing", db.queryString("SELECT status FROM payment WHERE id = ?::uuid", id));
        int asked = IntaSendFake.statusCallsFor(invoice).size();
        reconciler.runOnce(later);
        assertEquals(asked, IntaSendFake.statusCallsFor(invoice).size(), "not due again before its backoff");

        IntaSendFake.status(invoice, "COMPLETE", id, "\"20.00\"", null, null);
        reconciler.runOnce(later.plus(Duration.ofMinutes(5)));
        assertEquals("completed", db.queryString("SELECT status FROM payment WHERE id = ?::uuid", id));
        assertEquals(1, events(id, "reconciled"));
    }

    @Test
    void reconcilersRunningAtOnceNeverCheckThePaymentTwice() throws Exception {
        Shop shop = Shop.sandbox();
        java.util.List<String> invoices = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String phone = phone();
            String invoice = invoice();
            IntaSendFake.pushAccepted(phone, invoice);
            String id = shop.paymentViaPhone(phone);
            IntaSendFake.status(invoice, "PENDING", id, "\"20.00\"", null, null);
            invoices.add(invoice);
        }
        Instant due = Instant.now().plus(Duration.ofMinutes(2));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            java.util.List<java.util.concurrent.Future<Integer>> runs = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                runs.add(pool.submit(() -> reconciler.runOnce(due)));
            }
            for (java.util.concurrent.Future<Integer> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (String invoice : invoices) {
            assertEquals(1, IntaSendFake.statusCallsFor(invoice).size(), "invoice " + invoice);
        }
    }

    @Test
    void createLinkAnswersTheCheckoutUrl() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        IntaSendFake.checkoutAccepted(phone, "3c3f-" + invoice());
        shop.owner().asPortal().body(shop.purchase(phone)).post("/payments/intasend/create-link/").then()
                .statusCode(201)
                .body("message", equalTo("Payment link created successfully"))
                .body("intasend.payment_url", containsString("https://sandbox.intasend.com/checkout/"))
                .body("payment.payment_url", containsString("/express/"));
    }

    @Test
    void webhookChecksTokenAndChallengeAndIgnoresWhatIsNotOurs() {
        Sent sent = sentPayment();
        Shop shop = sent.shop();
        String invoice = sent.invoice();
        String id = sent.id();
        IntaSendFake.status(invoice, "COMPLETE", id, "\"20.00\"", null, null);
        shop.webhook(Map.of("invoice_id", invoice, "state", "COMPLETE", "challenge", "not-set-yet-xxxxxxxx"))
                .statusCode(401);
        String challenge = shop.webhookChallenge();
        shop.webhook(Map.of("invoice_id", invoice, "state", "COMPLETE", "challenge", challenge + "x")).statusCode(401)
                .body("error", equalTo("Invalid webhook challenge"));
        shop.webhook(Map.of("invoice_id", "NOPE123", "state", "COMPLETE", "challenge", challenge)).statusCode(200)
                .body("message", containsString("ignored"));
        given().contentType(ContentType.JSON).body(Map.of("invoice_id", invoice, "state", "COMPLETE", "challenge", challenge))
                .post("/payments/webhook/intasend/" + "0".repeat(64) + "/").then().statusCode(404);
        Shop other = Shop.sandbox();
        other.webhook(Map.of("invoice_id", invoice, "state", "COMPLETE", "api_ref", id, "challenge",
                other.webhookChallenge())).statusCode(200).body("message", containsString("ignored"));
        assertEquals("processing", db.queryString("SELECT status FROM payment WHERE id = ?::uuid", id));
        assertEquals(0, events(id, "webhook_received"), "nothing of another account's delivery reaches the payment");
        assertEquals(0, IntaSendFake.statusCallsFor(invoice).size(), "nothing was confirmed");
    }

    @Test
    void duplicateAndOutOfOrderWebhooksNeverUndoOrRepeatACompletion() {
        Sent sent = sentPayment();
        Shop shop = sent.shop();
        String invoice = sent.invoice();
        String id = sent.id();
        String challenge = shop.webhookChallenge();
        shop.webhook(Map.of("invoice_id", invoice, "state", "PROCESSING", "challenge", challenge))
                .statusCode(200).body("status", equalTo("processing"));
        IntaSendFake.status(invoice, "COMPLETE", id, "\"20.00\"", null, null);
        Map<String, Object> complete = Map.of("invoice_id", invoice, "state", "COMPLETED", "value", "20.00",
                "challenge", challenge);
        shop.webhook(complete).statusCode(200);
        awaitStatus(id, "completed");
        String expiry = db.queryString("SELECT package_expiry_time::text FROM payment WHERE id = ?::uuid", id);
        shop.webhook(complete).statusCode(200).body("status", equalTo("completed"));
        shop.webhook(Map.of("invoice_id", invoice, "state", "PENDING", "challenge", challenge))
                .statusCode(200).body("status", equalTo("completed"));
        shop.webhook(Map.of("invoice_id", invoice, "state", "FAILED", "challenge", challenge))
                .statusCode(200).body("status", equalTo("completed"));
        assertEquals(expiry, db.queryString("SELECT package_expiry_time::text FROM payment WHERE id = ?::uuid", id));
        assertEquals(1, events(id, "succeeded"));
        assertEquals(1, events(id, "access_granted"));
        assertEquals(5, events(id, "webhook_received"), "every delivery is in the timeline");
    }

    @Test
    void aCompleteWebhookForACompletedPaymentIsAcknowledgedWithoutAskingIntaSendAgain() {
        Sent sent = sentPayment();
        Shop shop = sent.shop();
        String invoice = sent.invoice();
        IntaSendFake.status(invoice, "COMPLETE", sent.id(), "\"20.00\"", null, null);
        Map<String, Object> complete = Map.of("invoice_id", invoice, "state", "COMPLETE", "challenge",
                shop.webhookChallenge());
        shop.webhook(complete).statusCode(200);
        awaitStatus(sent.id(), "completed");
        int asked = IntaSendFake.statusCallsFor(invoice).size();
        shop.webhook(complete).statusCode(200).body("status", equalTo("completed"));
        reconciler.runOnce(Instant.now().plus(Duration.ofDays(2)));
        assertEquals(asked, IntaSendFake.statusCallsFor(invoice).size(), "nothing left to confirm");
        assertEquals(1, events(sent.id(), "succeeded"));
    }

    @Test
    void aWebhookTheStatusApiDoesNotConfirmChangesNothing() {
        Sent sent = sentPayment();
        Shop shop = sent.shop();
        String invoice = sent.invoice();
        String id = sent.id();
        String challenge = shop.webhookChallenge();
        IntaSendFake.status(invoice, "PENDING", id, "\"20.00\"", null, null);
        shop.webhook(Map.of("invoice_id", invoice, "state", "COMPLETE", "challenge", challenge))
                .statusCode(200).body("status", equalTo("processing"));
        awaitStatusCalls(invoice, 1);
        IntaSendFake.status(invoice, "COMPLETE", "some-other-reference", "\"20.00\"", null, null);
        shop.webhook(Map.of("invoice_id", invoice, "state", "COMPLETE", "challenge", challenge))
                .statusCode(200).body("status", equalTo("processing"));
        awaitStatusCalls(invoice, 2);
        IntaSendFake.status(invoice, "COMPLETE", id, "\"1.00\"", null, null);
        shop.webhook(Map.of("invoice_id", invoice, "state", "COMPLETE", "challenge", challenge))
                .statusCode(200).body("status", equalTo("processing"));
        awaitStatusCalls(invoice, 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> events(id, "mismatch") == 2);
        assertEquals(0, events(id, "succeeded"));
        assertEquals("processing", db.queryString("SELECT status FROM payment WHERE id = ?::uuid", id));
    }

    @Test
    void checkStatusAndTheReconcilerApplyOnlyAnAnswerThatNamesThisPaymentAndItsAmount() {
        Sent sent = sentPayment();
        Shop shop = sent.shop();
        String invoice = sent.invoice();
        String id = sent.id();
        IntaSendFake.status(invoice, "COMPLETE", "some-other-reference", "\"20.00\"", null, null);
        shop.checkStatus(id).statusCode(200).body("status", equalTo("processing"));
        IntaSendFake.status(invoice, "COMPLETE", id, "\"1.00\"", null, null);
        intervalPassed(id);
        shop.checkStatus(id).statusCode(200).body("status", equalTo("processing"));
        reconciler.runOnce(Instant.now().plus(Duration.ofMinutes(2)));
        assertEquals("processing", db.queryString("SELECT status FROM payment WHERE id = ?::uuid", id));
        assertEquals(0, events(id, "succeeded"));

        IntaSendFake.status(invoice, "COMPLETE", id, "20", null, null);
        intervalPassed(id);
        shop.checkStatus(id).statusCode(200).body("status", equalTo("completed"));
        assertEquals(1, events(id, "succeeded"));
    }

    @Test
    void concurrentCheckStatusWebhooksAndOwnerCompleteSettleExactlyOnce() throws Exception {
        Shop shop = Shop.sandbox();
        String phone = phone();
        String invoice = invoice();
        String mac = Shop.randomMac();
        IntaSendFake.pushAccepted(phone, invoice);
        String id = shop.initiate(shop.purchase(phone, mac)).statusCode(201).extract().path("payment.id");
        String challenge = shop.webhookChallenge();
        IntaSendFake.status(invoice, "COMPLETE", id, "\"20.00\"", null, null);
        Map<String, Object> webhook = Map.of("invoice_id", invoice, "state", "COMPLETE", "challenge", challenge);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(24);
        try {
            java.util.List<java.util.concurrent.Future<Integer>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int kind = i % 4;
                calls.add(pool.submit(() -> switch (kind) {
                    case 0 -> shop.checkStatus(id).extract().statusCode();
                    case 1, 2 -> shop.webhook(webhook).extract().statusCode();
                    default -> shop.owner().withJwt().post("/payments/" + id + "/mark-completed/").statusCode();
                }));
            }
            for (java.util.concurrent.Future<Integer> call : calls) {
                int status = call.get();
                assertTrue(status == 200 || status == 409, "unexpected " + status);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, events(id, "succeeded"));
        assertEquals(1, events(id, "access_granted"));
        assertEquals(1, db.queryLong("SELECT count(*) FROM access_grant WHERE router_id = ? AND mac_address = ? "
                + "AND expires_at = (SELECT completed_at + interval '1 hour' FROM payment WHERE id = ?::uuid)",
                shop.routerId(), mac, id));
    }
}
