package org.hotspotbilling.payment;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.hotspotbilling.payment.PaymentEvent.Source;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.IntaSendFake;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paths where a customer could pay and end up with nothing (docs/payments.md "Confirmation", "Reconciler"):
 * each test is a combination of IntaSend failures that lost or stranded a payment before.
 */
@QuarkusTest
class ConfirmationGapsTest {

    @Inject
    Db db;

    @Inject
    Reconciler reconciler;

    @Inject
    ProviderConfirmation confirmation;

    @Inject
    PaymentSettlement settlement;

    static String phone() {
        return "2547" + String.format("%08d", ThreadLocalRandom.current().nextInt(100_000_000));
    }

    static String invoice() {
        return "INV" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36).toUpperCase();
    }

    private String status(String id) {
        return db.queryString("SELECT status FROM payment WHERE id = ?::uuid", id);
    }

    private long events(String id, String type) {
        return db.queryLong("SELECT count(*) FROM payment_event WHERE payment_id = ?::uuid AND type = ?", id, type);
    }

    /** A push whose answer never came (timeout): the payment is open and we know no invoice of it. */
    private static String unknownPush(Shop shop) {
        String phone = phone();
        IntaSendFake.pushAnswers(phone, IntaSendFake.slow(2500));
        return shop.initiate(shop.purchase(phone, Shop.randomMac())).statusCode(202).extract().path("payment.id");
    }

    /**
     * Seen in the 1,000-purchase fault run: IntaSend's COMPLETE webhook found its payment by invoice id while the
     * other instance's confirmation was completing it; the webhook then locked the row but decided on the status it
     * had read before, marked the completed payment for checking, the database refused, and IntaSend got a 500.
     */
    @Test
    void aWebhookThatFoundItsPaymentJustBeforeAnotherInstanceCompletedItDecidesOnTheCompletedPayment() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        String invoice = invoice();
        IntaSendFake.pushAccepted(phone, invoice);
        String id = shop.initiate(shop.purchase(phone, Shop.randomMac())).statusCode(201).extract().path("payment.id");
        long owner = db.queryLong("SELECT owner_id FROM payment WHERE id = ?::uuid", id);

        boolean marked = QuarkusTransaction.requiringNew().call(() -> {
            Payment found = confirmation.named(owner, invoice, null, id);
            assertEquals(PaymentStatus.processing, found.status);
            QuarkusTransaction.requiringNew().run(() -> settlement.complete(UUID.fromString(id), Source.reconciler,
                    "COMPLETE", "confirmed by the other instance"));
            return settlement.notice(found.id, Source.webhook, invoice, "COMPLETE");
        });

        assertFalse(marked, "a completed payment is never asked about again");
        assertEquals("completed", status(id));
        assertEquals(null, db.queryString("SELECT next_check_at::text FROM payment WHERE id = ?::uuid", id));
        assertEquals(1, events(id, "succeeded"));
    }

    @Test
    void aCompleteWebhookDuringAStatusApiOutageIsKeptAndCompletesWhenTheApiAnswersAgain() {
        Shop shop = Shop.sandbox();
        String id = unknownPush(shop);
        assertEquals(null, db.queryString("SELECT intasend_invoice_id FROM payment WHERE id = ?::uuid", id));
        String invoice = invoice();
        IntaSendFake.statusAnswers(invoice, IntaSendFake.json(503, "{\"detail\":\"maintenance\"}"));

        // The customer paid; IntaSend tells us while its own status API is down.
        shop.webhook(Map.of("invoice_id", invoice, "state", "COMPLETE", "api_ref", id, "value", "20.00",
                "challenge", shop.webhookChallenge())).statusCode(200).body("payment_id", equalTo(id));
        // Recorded before any confirmation: the invoice, the claim in the timeline, the durable mark.
        assertEquals(invoice, db.queryString("SELECT intasend_invoice_id FROM payment WHERE id = ?::uuid", id));
        assertEquals(1, events(id, "webhook_received"));
        await().atMost(Duration.ofSeconds(10)).until(() -> IntaSendFake.statusCallsFor(invoice).size() >= 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> db.queryLong("SELECT count(*) FROM payment WHERE id = "
                + "?::uuid AND next_check_at > now() + interval '10 seconds'", id) == 1); // the failed ask backed off
        assertEquals("processing", status(id));

        // Past the give-up age with the status API still down: an outage is no answer, so nothing is given up.
        reconciler.runOnce(Instant.now().plus(Duration.ofHours(3)));
        assertEquals("processing", status(id));
        assertEquals(0, events(id, "failed"));

        IntaSendFake.status(invoice, "COMPLETE", id, "\"20.00\"", null, null);
        reconciler.runOnce(Instant.now().plus(Duration.ofHours(4)));
        assertEquals("completed", status(id));
        assertEquals(1, events(id, "succeeded"));
        assertEquals(1, events(id, "access_granted"));
    }

    @Test
    void theWebhookIsAnsweredBeforeItsConfirmationAndTheConfirmationFollows() {
        Shop shop = Shop.sandbox();
        String id = unknownPush(shop);
        String invoice = invoice();
        // A slow status API that does confirm: the delivery's answer comes first, the completion after it.
        IntaSendFake.statusAnswers(invoice, IntaSendFake.json(200, "{\"invoice\":{\"invoice_id\":\"" + invoice
                + "\",\"state\":\"COMPLETE\",\"value\":\"20.00\",\"currency\":\"KES\",\"api_ref\":\"" + id
                + "\"}}").withFixedDelay(1500));
        shop.webhook(Map.of("invoice_id", invoice, "state", "COMPLETE", "api_ref", id, "challenge",
                shop.webhookChallenge())).statusCode(200).body("status", equalTo("processing"))
                .body("message", equalTo("Webhook processed"));
        assertEquals(1, events(id, "webhook_received"), "the word is recorded when the delivery is answered");
        await().atMost(Duration.ofSeconds(10)).until(() -> "completed".equals(status(id)));
    }

    @Test
    void aLateWebhookThatOnlyTellsTheInvoiceResumesTheChecksOfAPaymentNobodyCouldAskAbout() {
        Shop shop = Shop.sandbox();
        String id = unknownPush(shop);
        reconciler.runOnce(Instant.now().plus(Duration.ofHours(3)));
        assertEquals(Reconciler.NEVER_TOLD, db.queryString("SELECT attention FROM payment WHERE id = ?::uuid", id));

        // The COMPLETE delivery was lost; a delayed PENDING one names the invoice.
        String invoice = invoice();
        IntaSendFake.statusAnswers(invoice, IntaSendFake.json(503, "{}"));
        shop.webhook(Map.of("invoice_id", invoice, "state", "PENDING", "api_ref", id, "challenge",
                shop.webhookChallenge())).statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> IntaSendFake.statusCallsFor(invoice).size() >= 1);
        assertEquals(null, db.queryString("SELECT attention FROM payment WHERE id = ?::uuid", id));
        IntaSendFake.status(invoice, "COMPLETE", id, "\"20.00\"", null, null);
        reconciler.runOnce(Instant.now().plus(Duration.ofHours(5)));
        assertEquals("completed", status(id));
    }

    @Test
    void aGivenUpPaymentIsAskedOnceMoreLaterAndASuccessThenCompletesItAsLateSuccess() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        String invoice = invoice();
        IntaSendFake.pushAccepted(phone, invoice);
        String id = shop.paymentViaPhone(phone);
        IntaSendFake.status(invoice, "PENDING", id, "\"20.00\"", null, null);
        Instant created = Instant.now();

        reconciler.runOnce(created.plus(Duration.ofHours(3)));
        assertEquals("failed", status(id));
        assertEquals(Reconciler.NEVER_CONFIRMED, db.queryString("SELECT error_message FROM payment WHERE id = ?::uuid",
                id));
        int asked = IntaSendFake.statusCallsFor(invoice).size();
        reconciler.runOnce(created.plus(Duration.ofHours(20)));
        assertEquals(asked, IntaSendFake.statusCallsFor(invoice).size(), "not asked again before the late check");

        IntaSendFake.status(invoice, "COMPLETE", id, "20", null, null);
        reconciler.runOnce(created.plus(Duration.ofHours(28)));
        assertEquals("completed", status(id));
        assertEquals(1, events(id, "late_success"));
        assertEquals(1, events(id, "access_granted"));
    }

    @Test
    void aGivenUpPaymentStillUnpaidAtItsLateCheckIsLeftFailedAndNotAskedAgain() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        String invoice = invoice();
        IntaSendFake.pushAccepted(phone, invoice);
        String id = shop.paymentViaPhone(phone);
        IntaSendFake.status(invoice, "PENDING", id, "\"20.00\"", null, null);
        Instant created = Instant.now();
        reconciler.runOnce(created.plus(Duration.ofHours(3)));
        reconciler.runOnce(created.plus(Duration.ofHours(28)));
        assertEquals("failed", status(id));
        assertEquals(1, events(id, "late_check"));
        int asked = IntaSendFake.statusCallsFor(invoice).size();
        reconciler.runOnce(created.plus(Duration.ofDays(5)));
        assertEquals(asked, IntaSendFake.statusCallsFor(invoice).size(), "asked once more, then never again");
    }

    @Test
    void eachCheckCountsOnceAndBacksOffByDoubling() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        String invoice = invoice();
        IntaSendFake.pushAccepted(phone, invoice);
        String id = shop.paymentViaPhone(phone);
        IntaSendFake.statusAnswers(invoice, IntaSendFake.json(503, "{}"));
        Instant first = Instant.now().plus(Duration.ofMinutes(2));
        reconciler.runOnce(first);
        assertEquals(1, db.queryLong("SELECT check_attempts FROM payment WHERE id = ?::uuid", id));
        assertEquals(30, db.queryLong("SELECT extract(epoch FROM next_check_at - ?::timestamptz)::bigint FROM payment "
                + "WHERE id = ?::uuid", first.truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString(), id));
        Instant second = first.plus(Duration.ofSeconds(30));
        reconciler.runOnce(second);
        assertEquals(2, db.queryLong("SELECT check_attempts FROM payment WHERE id = ?::uuid", id));
        assertEquals(60, db.queryLong("SELECT extract(epoch FROM next_check_at - ?::timestamptz)::bigint FROM payment "
                + "WHERE id = ?::uuid", second.truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString(), id));
    }

    @Test
    void aSuccessThatNamesNoReferenceOrAnotherCurrencyIsAMismatchAndThePaymentStaysOpen() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        String invoice = invoice();
        IntaSendFake.pushAccepted(phone, invoice);
        String id = shop.paymentViaPhone(phone);
        IntaSendFake.status(invoice, "COMPLETE", null, "\"20.00\"", null, null);
        shop.checkStatus(id).statusCode(200).body("status", equalTo("processing"));
        assertEquals(1, events(id, "mismatch"));
        IntaSendFake.status(invoice, "COMPLETE", id, "\"20.00\"", "USD", null, null);
        reconciler.runOnce(Instant.now().plus(Duration.ofMinutes(2)));
        assertEquals("processing", status(id));
        assertEquals(2, events(id, "mismatch"));
        shop.owner().withJwt().get("/payments/" + id + "/events/").then()
                .body("events.result_desc", hasItem(containsString("names no reference")))
                .body("events.result_desc", hasItem(containsString("in USD, not KES")));
    }

    @Test
    void deliveriesWeCannotUseAreAnswered200AndCountedAndAWrongChallengeIs401() {
        Shop shop = Shop.sandbox();
        String challenge = shop.webhookChallenge();
        // Unknown invoice, another integration's event on the same account, a dashboard test event.
        shop.webhook(Map.of("invoice_id", "ZZ" + invoice(), "state", "COMPLETE", "challenge", challenge)).statusCode(200);
        shop.webhook(Map.of("invoice_id", invoice(), "state", "PENDING", "api_ref", "order-5521", "challenge", challenge))
                .statusCode(200);
        shop.webhook(Map.of("state", "COMPLETE", "value", 1, "challenge", challenge)).statusCode(200);
        shop.webhook(Map.of("tracking_id", "T-1", "status", "Completed", "challenge", challenge)).statusCode(200);
        shop.webhook(Map.of("invoice_id", invoice(), "state", "COMPLETE", "challenge", "wrong-" + challenge))
                .statusCode(401);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> shop.owner().withJwt()
                .get("/payments/credentials/" + shop.credentialId() + "/").then()
                .body("webhook_deliveries.ignored", equalTo(4))
                .body("webhook_deliveries.rejected", equalTo(1))
                .body("webhook_deliveries.accepted", equalTo(0))
                .body("webhook_deliveries.last_outcome", equalTo("rejected"))
                .body("webhook_deliveries.last_at", notNullValue()));
    }

    @Test
    void aDeliveryCarryingANulCharacterIsStillRecordedAndAnswered() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        String invoice = invoice();
        IntaSendFake.pushAccepted(phone, invoice);
        String id = shop.paymentViaPhone(phone);
        shop.webhook(Map.of("invoice_id", invoice, "state", "PROC\u0000ESSING", "api_ref", id, "challenge",
                shop.webhookChallenge())).statusCode(200);
        assertEquals(1, events(id, "webhook_received"));
    }

    @Test
    void aCredentialWithOpenPaymentsCannotBeDeletedButDeactivatedKeepsConfirmingThem() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        String invoice = invoice();
        IntaSendFake.pushAccepted(phone, invoice);
        String id = shop.paymentViaPhone(phone);
        String url = shop.owner().withJwt().get("/payments/credentials/" + shop.credentialId() + "/").then()
                .extract().path("webhook_url");

        shop.owner().withJwt().delete("/payments/credentials/" + shop.credentialId() + "/").then().statusCode(409)
                .body("error", containsString("1 payment(s)"))
                .body("fields.open_payments", equalTo("1"));
        shop.owner().withJwt().body(Map.of("environment", "live")).patch("/payments/credentials/" + shop.credentialId()
                + "/").then().statusCode(409);
        shop.owner().withJwt().post("/payments/credentials/" + shop.credentialId() + "/toggle/").then().statusCode(200)
                .body("credentials.is_active", equalTo(false));
        shop.initiate(shop.purchase(phone(), Shop.randomMac())).statusCode(404);
        shop.owner().withJwt().body(Map.of("private_key", "ISSecretKey_test_" + java.util.UUID.randomUUID()))
                .post("/payments/credentials/" + shop.credentialId() + "/update-private-key/").then().statusCode(200)
                .body("credentials.webhook_url", equalTo(url));

        IntaSendFake.status(invoice, "COMPLETE", id, "\"20.00\"", null, null);
        shop.checkStatus(id).statusCode(200).body("status", equalTo("completed"));
        shop.owner().withJwt().delete("/payments/credentials/" + shop.credentialId() + "/").then().statusCode(200);
    }

    @Test
    void aPaymentWhoseCredentialIsGoneAsksTheOwnerOnceAndNeverBreaksTheReconciler() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        String invoice = invoice();
        IntaSendFake.pushAccepted(phone, invoice);
        String id = shop.paymentViaPhone(phone);
        // What a credential deleted before this rule, or removed in the database, leaves behind.
        db.update("UPDATE payment SET credential_id = NULL WHERE id = ?::uuid", id);

        reconciler.runOnce(Instant.now().plus(Duration.ofMinutes(2)));
        reconciler.runOnce(Instant.now().plus(Duration.ofHours(3)));
        shop.checkStatus(id).statusCode(200).body("status", equalTo("processing"));
        assertEquals("processing", status(id));
        assertEquals(1, db.queryLong("SELECT count(*) FROM payment_event WHERE payment_id = ?::uuid AND type = "
                + "'requires_recovery' AND result_desc = ?", id, ProviderConfirmation.NO_CREDENTIAL));
        shop.owner().withJwt().get("/payments/?status=processing").then()
                .body("results.find { it.id == '" + id + "' }.attention", equalTo(ProviderConfirmation.NO_CREDENTIAL));
        shop.owner().withJwt().post("/payments/" + id + "/mark-completed/").then().statusCode(200);
    }

    @Test
    void aLinkPaymentIsSettledThroughItsCheckoutByCheckStatusAndTheReconciler() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        String checkout = "3c3f-" + invoice();
        IntaSendFake.checkoutAccepted(phone, checkout);
        String id = shop.owner().asPortal().body(shop.purchase(phone, Shop.randomMac()))
                .post("/payments/intasend/create-link/").then().statusCode(201).extract().path("payment.id");
        assertEquals(checkout, db.queryString("SELECT checkout_id FROM payment WHERE id = ?::uuid", id));
        assertEquals(IntaSendFake.signature(checkout),
                db.queryString("SELECT checkout_signature FROM payment WHERE id = ?::uuid", id));

        IntaSendFake.checkoutDetails(checkout, false, id, "\"20.00\"");
        shop.checkStatus(id).statusCode(200).body("status", equalTo("processing"));
        assertEquals(1, IntaSendFake.checkoutDetailsCallsFor(checkout).size());

        IntaSendFake.checkoutDetails(checkout, true, id, "20");
        reconciler.runOnce(Instant.now().plus(Duration.ofMinutes(2)));
        assertEquals("completed", status(id));
    }

    @Test
    void aLinkPaymentsWebhookIsConfirmedWithTheCheckoutSignature() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        String checkout = "3c3f-" + invoice();
        IntaSendFake.checkoutAccepted(phone, checkout);
        String id = shop.owner().asPortal().body(shop.purchase(phone, Shop.randomMac()))
                .post("/payments/intasend/create-link/").then().statusCode(201).extract().path("payment.id");
        String invoice = invoice();
        IntaSendFake.status(invoice, "COMPLETE", id, "\"20.00\"", null, null);
        shop.webhook(Map.of("invoice_id", invoice, "state", "COMPLETE", "api_ref", id, "challenge",
                shop.webhookChallenge())).statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> "completed".equals(status(id)));
        String asked = IntaSendFake.statusCallsFor(invoice).get(0).getBodyAsString();
        assertTrue(asked.contains("\"checkout_id\":\"" + checkout + "\"")
                && asked.contains("\"signature\":\"" + IntaSendFake.signature(checkout) + "\""), asked);
    }

    @Test
    void simulateCallbackIsForTheOwnerOnly() {
        Shop shop = Shop.simulated();
        String id = shop.paymentFor(Shop.randomMac());
        shop.owner().asPortal().body(Map.of("result_code", 0)).post("/payments/" + id + "/simulate-callback/").then()
                .statusCode(403);
        assertEquals("processing", status(id));
        shop.simulate(id, 0).statusCode(200).body("status", equalTo("completed"));
    }

    @Test
    void thePortalSeesAMaskedPaymentAndTheOwnerTheWholeOne() {
        Shop shop = Shop.sandbox();
        String phone = "254712345678";
        String invoice = invoice();
        IntaSendFake.pushAccepted(phone, invoice);
        String id = shop.paymentViaPhone(phone);
        IntaSendFake.status(invoice, "PENDING", id, "\"20.00\"", null, null);
        shop.checkStatus(id).statusCode(200)
                .body("status", equalTo("processing"))
                .body("payment.id", equalTo(id))
                .body("payment.phone_number", equalTo("2547*****678"))
                .body("payment.intasend_invoice_id", nullValue())
                .body("payment.ip_address", nullValue());
        shop.owner().withJwt().post("/payments/intasend/" + id + "/check-status/").then().statusCode(200)
                .body("payment.phone_number", equalTo(phone))
                .body("payment.intasend_invoice_id", equalTo(invoice));
    }

    @Test
    void thePortalPollingFastAsksTheProviderAtMostOncePerInterval() {
        Shop shop = Shop.sandbox();
        String phone = phone();
        String invoice = invoice();
        IntaSendFake.pushAccepted(phone, invoice);
        String id = shop.paymentViaPhone(phone);
        IntaSendFake.status(invoice, "PENDING", id, "\"20.00\"", null, null);
        for (int i = 0; i < 8; i++) {
            shop.checkStatus(id).statusCode(200).body("status", equalTo("processing"));
        }
        assertEquals(1, IntaSendFake.statusCallsFor(invoice).size());
        Instant asked = db.queryInstant("SELECT provider_checked_at FROM payment WHERE id = ?::uuid", id);
        assertNotNull(asked);
        await().pollDelay(Duration.ofMillis(2100)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            shop.checkStatus(id).statusCode(200);
            assertEquals(2, IntaSendFake.statusCallsFor(invoice).size());
        });
    }
}
