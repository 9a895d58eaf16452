package org.hotspotbilling.payment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.DarajaFake;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** M-Pesa Daraja, faked at the HTTP edge (docs/daraja.md): push, callback, STK Push Query, reconciler. */
@QuarkusTest
class DarajaFlowTest {

    static final String PASSKEY = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";

    @Inject
    Db db;

    @Inject
    Reconciler reconciler;

    private final ObjectMapper json = new ObjectMapper();

    /** An owner selling through a Daraja paybill or till. */
    record DarajaShop(TestOwner owner, long routerId, long planId, long credentialId, String consumerKey,
            String callbackUrl) {

        Map<String, Object> purchase(String phone) {
            return new HashMap<>(Map.of("router_id", routerId, "package_id", planId, "phone_number", phone, "amount",
                    "20.00", "mac_address", randomMac()));
        }

        ValidatableResponse initiate(String phone) {
            return owner.asPortal().body(purchase(phone)).post("/payments/initiate/").then();
        }

        ValidatableResponse callback(Map<String, Object> body) {
            return given().contentType("application/json").body(body).post(callbackUrl).then();
        }
    }

    static DarajaShop shop(String accountType, String tillNumber) {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        long plan = Fixtures.plan(owner, router, Map.of("name", "1 Hour", "price", "20.00", "duration_hours", 1,
                "download_speed_mbps", 5, "upload_speed_mbps", 2));
        String consumerKey = "ck" + UUID.randomUUID().toString().replace("-", "");
        DarajaFake.tokens(consumerKey, "3599");
        Map<String, Object> body = new HashMap<>(Map.of("provider", "mpesa", "consumer_key", consumerKey,
                "consumer_secret", DarajaFake.secretOf(consumerKey), "passkey", PASSKEY, "short_code", "174379",
                "account_type", accountType, "environment", "sandbox"));
        if (tillNumber != null) {
            body.put("till_number", tillNumber);
        }
        io.restassured.path.json.JsonPath created = owner.withJwt().body(body).post("/payments/credentials/").then()
                .statusCode(201).extract().jsonPath();
        return new DarajaShop(owner, router, plan, created.getLong("id"), consumerKey,
                created.getString("webhook_url"));
    }

    static String phone() {
        return "2547" + String.format("%08d", ThreadLocalRandom.current().nextInt(100_000_000));
    }

    static String checkoutId() {
        return "ws_CO_" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 50), 36).toUpperCase();
    }

    static String randomMac() {
        StringBuilder mac = new StringBuilder("02");
        for (int i = 0; i < 5; i++) {
            mac.append(':').append(String.format("%02X", ThreadLocalRandom.current().nextInt(256)));
        }
        return mac.toString();
    }

    private String status(String id) {
        return db.queryString("SELECT status FROM payment WHERE id = ?::uuid", id);
    }

    private long events(String id, String type) {
        return db.queryLong("SELECT count(*) FROM payment_event WHERE payment_id = ?::uuid AND type = ?", id, type);
    }

    /** A pushed payment: the shop, the phone, Daraja's ids and ours. */
    record Pushed(DarajaShop shop, String phone, String merchant, String checkout, String id) {
    }

    static Pushed pushed() {
        DarajaShop shop = shop("paybill", null);
        String phone = phone();
        String checkout = checkoutId();
        String merchant = "29115-" + checkout.substring(6);
        DarajaFake.pushAccepted(phone, merchant, checkout);
        String id = shop.initiate(phone).statusCode(201).body("intasend.invoice_id", equalTo(checkout))
                .body("payment.payment_provider", equalTo("mpesa")).extract().path("payment.id");
        return new Pushed(shop, phone, merchant, checkout, id);
    }

    @Test
    void aPaybillPushIsSentAsDarajaExpects() throws Exception {
        Pushed p = pushed();
        LoggedRequest push = DarajaFake.pushesFor(p.phone()).get(0);
        assertTrue(push.getHeader("Authorization").startsWith("Bearer tok-"));
        JsonNode body = json.readTree(push.getBodyAsString());
        String timestamp = body.get("Timestamp").asText();
        LocalDateTime sent = LocalDateTime.parse(timestamp, DateTimeFormatter.ofPattern("yyyyMMddHHmmss"));
        LocalDateTime eatNow = LocalDateTime.now(ZoneId.of("Africa/Nairobi"));
        assertTrue(Duration.between(sent, eatNow).abs().toMinutes() < 5, "timestamp in East Africa Time: " + timestamp);
        assertEquals(Base64.getEncoder().encodeToString(("174379" + PASSKEY + timestamp).getBytes(StandardCharsets.UTF_8)),
                body.get("Password").asText());
        assertEquals("174379", body.get("BusinessShortCode").asText());
        assertEquals("CustomerPayBillOnline", body.get("TransactionType").asText());
        assertEquals(20, body.get("Amount").asLong());
        assertTrue(body.get("Amount").isIntegralNumber(), "whole shillings");
        assertEquals(p.phone(), body.get("PartyA").asText());
        assertEquals("174379", body.get("PartyB").asText());
        assertEquals(p.shop().callbackUrl(), java.net.URI.create(body.get("CallBackURL").asText()).getPath());
        assertTrue(body.get("AccountReference").asText().length() <= 12, body.toString());
        assertTrue(body.get("TransactionDesc").asText().length() <= 13, body.toString());
        assertEquals(p.merchant(), db.queryString("SELECT intasend_payment_id FROM payment WHERE id = ?::uuid", p.id()));
        assertEquals(p.checkout(), db.queryString("SELECT intasend_invoice_id FROM payment WHERE id = ?::uuid", p.id()));
    }

    @Test
    void aTillIsPushedAsBuyGoodsToItsTillNumber() throws Exception {
        DarajaShop shop = shop("till", "5123456");
        String phone = phone();
        DarajaFake.pushAccepted(phone, "m-1", checkoutId());
        shop.initiate(phone).statusCode(201);
        JsonNode body = json.readTree(DarajaFake.pushesFor(phone).get(0).getBodyAsString());
        assertEquals("CustomerBuyGoodsOnline", body.get("TransactionType").asText());
        assertEquals("174379", body.get("BusinessShortCode").asText());
        assertEquals("5123456", body.get("PartyB").asText());
    }

    @Test
    void theTokenIsFetchedOnceAndSharedByConcurrentPushes() throws Exception {
        DarajaShop shop = shop("paybill", null);
        DarajaFake.tokens(shop.consumerKey(), "\"3599\""); // Daraja sometimes sends it as a string
        List<String> phones = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String phone = phone();
            DarajaFake.pushAccepted(phone, "m-" + i, checkoutId());
            phones.add(phone);
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> calls = new ArrayList<>();
            for (String phone : phones) {
                calls.add(pool.submit(() -> shop.initiate(phone).extract().statusCode()));
            }
            for (Future<Integer> call : calls) {
                assertEquals(201, call.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, DarajaFake.tokenRequestsFor(shop.consumerKey()).size());
    }

    @Test
    void aSuccessCallbackIsConfirmedByTheQueryAndCompletesWithItsReceipt() {
        Pushed p = pushed();
        DarajaFake.queryResult(p.checkout(), "0", "The service request is processed successfully.");
        p.shop().callback(DarajaFake.callback(p.merchant(), p.checkout(), 0,
                        "The service request is processed successfully.", "NLJ7RT61SV", 20.00, Long.parseLong(p.phone())))
                .statusCode(200).body("ResultCode", equalTo(0)).body("ResultDesc", equalTo("Accepted"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "completed".equals(status(p.id())));
        assertEquals("NLJ7RT61SV", db.queryString("SELECT mpesa_receipt FROM payment WHERE id = ?::uuid", p.id()));
        assertEquals(1, DarajaFake.queriesFor(p.checkout()).size());
        p.shop().owner().withJwt().get("/payments/" + p.id() + "/events/").then()
                .body("events.result_desc", hasItem(containsString("receipt NLJ7RT61SV, amount 20")))
                .body("events.type", hasItem("access_granted"));
    }

    @Test
    void aForgedSuccessCallbackIsRefusedByTheQuery() {
        Pushed p = pushed();
        DarajaFake.queryStillProcessing(p.checkout());
        p.shop().callback(DarajaFake.callback(p.merchant(), p.checkout(), 0, "ok", "FAKE000001", 20,
                Long.parseLong(p.phone()))).statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> DarajaFake.queriesFor(p.checkout()).size() >= 1);
        DarajaFake.queryResult(p.checkout(), "1032", "Request cancelled by user");
        reconciler.runOnce(Instant.now().plus(Duration.ofMinutes(5)));
        assertEquals("failed", status(p.id()));
        assertEquals(0, events(p.id(), "succeeded"));
    }

    @ParameterizedTest(name = "ResultCode {0}")
    @CsvSource({
            "1, The balance is insufficient for the transaction., Insufficient funds",
            "1032, Request cancelled by user, cancelled the prompt",
            "1037, DS timeout user cannot be reached, could not be reached",
            "2001, The initiator information is invalid., Wrong M-Pesa PIN",
            "1019, Transaction has expired, expired before",
            "1025, An error occurred while sending a push request, could not send the prompt",
            "9999, An error occurred while sending a push request, without saying why",
            "17, Rule limited, wait two minutes" })
    void everyResultCodeFailsThePaymentWithItsHint(String code, String desc, String hint) {
        Pushed p = pushed();
        DarajaFake.queryResult(p.checkout(), code, desc);
        p.shop().callback(DarajaFake.callback(p.merchant(), p.checkout(), Integer.parseInt(code), desc, null, null, 0))
                .statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(status(p.id())));
        p.shop().owner().asPortal().post("/payments/" + p.id() + "/check-status/").then().statusCode(200)
                .body("status", equalTo("failed")).body("recovery_hint", containsString(hint));
        assertEquals(code, db.queryString("SELECT result_code FROM payment_event WHERE payment_id = ?::uuid AND "
                + "type = 'failed'", p.id()));
    }

    @Test
    void duplicateAndLateCallbacksChangeNothingAfterCompletion() {
        Pushed p = pushed();
        DarajaFake.queryResult(p.checkout(), "0", "ok");
        Map<String, Object> success = DarajaFake.callback(p.merchant(), p.checkout(), 0, "ok", "RCPT" + p.checkout()
                .substring(6, 12), "20", Long.parseLong(p.phone()));
        p.shop().callback(success).statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> "completed".equals(status(p.id())));
        String expiry = db.queryString("SELECT package_expiry_time::text FROM payment WHERE id = ?::uuid", p.id());
        p.shop().callback(success).statusCode(200);
        p.shop().callback(DarajaFake.callback(p.merchant(), p.checkout(), 1032, "Request cancelled by user", null, null,
                0)).statusCode(200);
        reconciler.runOnce(Instant.now().plus(Duration.ofMinutes(5)));
        assertEquals("completed", status(p.id()));
        assertEquals(expiry, db.queryString("SELECT package_expiry_time::text FROM payment WHERE id = ?::uuid", p.id()));
        assertEquals(1, events(p.id(), "succeeded"));
        assertEquals(1, DarajaFake.queriesFor(p.checkout()).size(), "a completed payment is not asked about again");
    }

    @Test
    void aReceiptThatAlreadyPaidAnotherPaymentIsAMismatch() {
        Pushed first = pushed();
        DarajaFake.queryResult(first.checkout(), "0", "ok");
        String receipt = "R" + first.checkout().substring(6, 15);
        first.shop().callback(DarajaFake.callback(first.merchant(), first.checkout(), 0, "ok", receipt, 20,
                Long.parseLong(first.phone()))).statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> "completed".equals(status(first.id())));

        Pushed second = pushed();
        DarajaFake.queryStillProcessing(second.checkout());
        second.shop().callback(DarajaFake.callback(second.merchant(), second.checkout(), 0, "ok", receipt, 20,
                Long.parseLong(second.phone()))).statusCode(200);
        assertEquals(1, events(second.id(), "mismatch"));
        assertEquals("processing", status(second.id()));
        assertEquals(null, db.queryString("SELECT mpesa_receipt FROM payment WHERE id = ?::uuid", second.id()));
    }

    @Test
    void aCallbackForAnotherAmountIsAMismatch() {
        Pushed p = pushed();
        p.shop().callback(DarajaFake.callback(p.merchant(), p.checkout(), 0, "ok", "AMT" + p.checkout().substring(6, 12),
                1, Long.parseLong(p.phone()))).statusCode(200);
        assertEquals(1, events(p.id(), "mismatch"));
        assertEquals("processing", status(p.id()));
    }

    @Test
    void queryErrorsLeaveThePaymentOpenAndTheReconcilerSettlesItLater() {
        Pushed p = pushed();
        DarajaFake.queryAnswers(p.checkout(), DarajaFake.error(500, "500.003.1001", "Internal Server Error"));
        reconciler.runOnce(Instant.now().plus(Duration.ofMinutes(2)));
        assertEquals("processing", status(p.id()));
        DarajaFake.queryStillProcessing(p.checkout());
        reconciler.runOnce(Instant.now().plus(Duration.ofMinutes(10)));
        assertEquals("processing", status(p.id()));
        DarajaFake.queryResult(p.checkout(), "0", "ok");
        reconciler.runOnce(Instant.now().plus(Duration.ofMinutes(30)));
        assertEquals("completed", status(p.id()));
        assertEquals(1, events(p.id(), "reconciled"));
    }

    @Test
    void stillProcessingPastTheGiveUpAgeFailsAndTheLateCheckCanStillComplete() {
        Pushed p = pushed();
        DarajaFake.queryStillProcessing(p.checkout());
        Instant created = Instant.now();
        reconciler.runOnce(created.plus(Duration.ofHours(3)));
        assertEquals("failed", status(p.id()));
        DarajaFake.queryResult(p.checkout(), "0", "ok");
        reconciler.runOnce(created.plus(Duration.ofHours(28)));
        assertEquals("completed", status(p.id()));
        assertEquals(1, events(p.id(), "late_success"));
    }

    @Test
    void aPushTimeoutIsUnknownAndTheSuccessCallbackIsAdoptedAndConfirmed() {
        DarajaShop shop = shop("paybill", null);
        String phone = phone();
        DarajaFake.pushAnswers(phone, DarajaFake.json(200, "{}").withFixedDelay(2500));
        String id = shop.initiate(phone).statusCode(202).extract().path("payment.id");
        assertEquals(null, db.queryString("SELECT intasend_invoice_id FROM payment WHERE id = ?::uuid", id));
        String checkout = checkoutId();
        DarajaFake.queryAnswers(checkout, DarajaFake.error(503, "503.001.01", "Service Unavailable"));
        shop.callback(DarajaFake.callback("m-x", checkout, 0, "ok", "ADOPT" + checkout.substring(6, 11), 20,
                Long.parseLong(phone))).statusCode(200);
        assertEquals(checkout, db.queryString("SELECT intasend_invoice_id FROM payment WHERE id = ?::uuid", id));
        await().atMost(Duration.ofSeconds(10)).until(() -> DarajaFake.queriesFor(checkout).size() >= 1);
        assertEquals("processing", status(id));
        // The query answers again later: the reconciler settles it.
        DarajaFake.queryResult(checkout, "0", "ok");
        reconciler.runOnce(Instant.now().plus(Duration.ofMinutes(30)));
        assertEquals("completed", status(id));
    }

    @Test
    void aDefiniteDarajaRefusalFailsThePaymentWith502AndAServerErrorIsUnknown() {
        DarajaShop shop = shop("paybill", null);
        String refused = phone();
        DarajaFake.pushAnswers(refused, DarajaFake.error(400, "400.002.02", "Bad Request - Invalid PhoneNumber"));
        shop.initiate(refused).statusCode(502).body("error", containsString("Invalid PhoneNumber"));
        String locked = phone();
        DarajaFake.pushAnswers(locked, DarajaFake.error(500, "500.001.1001", "Unable to lock subscriber, a "
                + "transaction is already in process for the current subscriber"));
        shop.initiate(locked).statusCode(502).body("error", containsString("Unable to lock subscriber"));
        String broken = phone();
        DarajaFake.pushAnswers(broken, DarajaFake.error(500, "500.003.1001", "Internal Server Error"));
        shop.initiate(broken).statusCode(202).body("payment.status", equalTo("processing"));
    }

    @Test
    void aRefusedTokenIsReplacedOnceAndThePushGoesThrough() {
        DarajaShop shop = shop("paybill", null);
        String phone = phone();
        DarajaFake.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
                        com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/mpesa/stkpush/v1/processrequest"))
                .inScenario("token-" + phone).whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.PhoneNumber",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo(phone)))
                .willReturn(DarajaFake.error(404, "404.001.03", "Invalid Access Token")).willSetStateTo("fresh"));
        DarajaFake.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
                        com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/mpesa/stkpush/v1/processrequest"))
                .inScenario("token-" + phone).whenScenarioStateIs("fresh")
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.PhoneNumber",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo(phone)))
                .willReturn(DarajaFake.json(200, "{\"MerchantRequestID\":\"m\",\"CheckoutRequestID\":\"" + checkoutId()
                        + "\",\"ResponseCode\":\"0\",\"CustomerMessage\":\"ok\"}")));
        shop.initiate(phone).statusCode(201);
        assertEquals(2, DarajaFake.tokenRequestsFor(shop.consumerKey()).size());
    }

    @Test
    void darajaTakesWholeShillingsAndHasNoLinks() {
        DarajaShop shop = shop("paybill", null);
        long odd = Fixtures.plan(shop.owner(), shop.routerId(), Map.of("name", "Odd", "price", "20.50",
                "duration_hours", 1, "download_speed_mbps", 5, "upload_speed_mbps", 2));
        Map<String, Object> body = shop.purchase(phone());
        body.put("package_id", odd);
        body.put("amount", "20.50");
        shop.owner().asPortal().body(body).post("/payments/initiate/").then().statusCode(400)
                .body("error", containsString("whole shillings"));
        shop.owner().asPortal().body(shop.purchase(phone())).post("/payments/create-link/").then().statusCode(400)
                .body("error", containsString("no payment links"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM payment WHERE owner_id = ?", shop.owner().id()));
    }

    @Test
    void badCallbacksAndCredentialsAreRefusedClearly() {
        DarajaShop shop = shop("paybill", null);
        shop.callback(Map.of("Body", Map.of("nothing", 1))).statusCode(400).body("error", containsString("stkCallback"));
        given().contentType("application/json").body(DarajaFake.callback("m", "ws_CO_X", 0, "ok", "R", 20, 1))
                .post("/payments/webhook/mpesa/" + "0".repeat(64) + "/").then().statusCode(404);
        shop.callback(DarajaFake.callback("m", "ws_CO_UNKNOWN", 1032, "cancelled", null, null, 0)).statusCode(200)
                .body("ResultCode", equalTo(0));

        TestOwner owner = Owners.register();
        Map<String, Object> base = Map.of("provider", "mpesa", "consumer_key", "ck", "consumer_secret",
                "secret-secret", "passkey", PASSKEY, "short_code", "174379", "account_type", "paybill");
        owner.withJwt().body(with(base, "short_code", "17A379")).post("/payments/credentials/").then().statusCode(400)
                .body("fields.short_code", notNullValue());
        owner.withJwt().body(with(base, "account_type", "wallet")).post("/payments/credentials/").then()
                .statusCode(400);
        Map<String, Object> noPasskey = new HashMap<>(base);
        noPasskey.remove("passkey");
        owner.withJwt().body(noPasskey).post("/payments/credentials/").then().statusCode(400)
                .body("fields.passkey", equalTo("This field is required."));
        owner.withJwt().body(with(base, "till_number", "12")).post("/payments/credentials/").then().statusCode(400)
                .body("fields.till_number", notNullValue());
        assertEquals(0, db.queryLong("SELECT count(*) FROM payment_credential WHERE owner_id = ?", owner.id()));
    }

    @Test
    void secretsAreWriteOnly() {
        DarajaShop shop = shop("paybill", null);
        String view = shop.owner().withJwt().get("/payments/credentials/" + shop.credentialId() + "/").then()
                .statusCode(200).body("short_code", equalTo("174379")).body("account_type", equalTo("paybill"))
                .body("has_passkey", equalTo(true)).extract().asString();
        assertTrue(!view.contains(PASSKEY) && !view.contains(DarajaFake.secretOf(shop.consumerKey())), view);
        byte[] stored = db.queryBytes("SELECT passkey_ciphertext FROM payment_credential WHERE id = ?",
                shop.credentialId());
        assertTrue(!new String(stored, StandardCharsets.ISO_8859_1).contains(PASSKEY));
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> copy = new HashMap<>(base);
        copy.put(key, value);
        return copy;
    }
}
