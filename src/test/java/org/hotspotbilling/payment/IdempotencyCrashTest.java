package org.hotspotbilling.payment;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.hotspotbilling.payment.PaymentDtos.PurchaseRequest;
import org.hotspotbilling.payment.PaymentEvent.Source;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Shop;
import org.hotspotbilling.web.Conflict;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A first request that dies between claiming its Idempotency-Key and storing its answer. The test runs the real
 * first half of a purchase (claim, validation, the payment's transaction) with the app's own beans and then stops,
 * which leaves exactly what a crash leaves; its claim is then aged past the lock timeout (60 s) in SQL instead of
 * waiting. docs/payments-rules.md, "Idempotency".
 */
@QuarkusTest
class IdempotencyCrashTest {

    @Inject
    IdempotencyKeys keys;

    @Inject
    PaymentService payments;

    @Inject
    PaymentSettlement settlement;

    @Inject
    Db db;

    Shop shop;
    String key;
    String mac;
    String phone;
    PurchaseRequest request;

    @BeforeEach
    void setUp() {
        shop = Shop.simulated();
        key = UUID.randomUUID().toString();
        mac = Shop.randomMac();
        phone = Shop.phone();
        request = new PurchaseRequest(shop.routerId(), shop.planId(), phone, new BigDecimal("20.00"), null, mac, null);
    }

    /** What the captive page sends: the same purchase as {@link #request}, as JSON. */
    private Map<String, Object> body() {
        return shop.purchase(phone, mac);
    }

    private ExtractableResponse<Response> retry() {
        return shop.owner().asPortal().header("Idempotency-Key", key).body(body())
                .post("/payments/intasend/initiate/").then().extract();
    }

    /** The first request's claim, as it takes it before validating. */
    private IdempotencyKeys.Claim claim() {
        return keys.claim(shop.owner().id(), key, "initiate", keys.fingerprint("initiate", request));
    }

    private static final PaymentService.Channel CHANNEL =
            new PaymentService.Channel(PaymentService.NO_CREDENTIALS_ANY, "http://localhost:8081");

    /** The first request's validation and payment transaction, up to the moment before it calls the provider. */
    private PaymentService.Purchase writePayment(IdempotencyKeys.Claim claim) {
        return payments.open(new PaymentService.Caller(shop.owner().id(), true, shop.owner().hotspotAddress()),
                request, Payment.STK_PUSH, CHANNEL, claim);
    }

    private void ageClaim(int seconds) {
        assertEquals(1, db.update("UPDATE idempotency_key SET claimed_at = claimed_at - make_interval(secs => ?) "
                + "WHERE owner_id = ? AND idem_key = ?", seconds, shop.owner().id(), key));
    }

    private long payments() {
        return db.queryLong("SELECT count(*) FROM payment WHERE owner_id = ?", shop.owner().id());
    }

    @Test
    void theKeyRecordsThePaymentInTheTransactionThatWritesIt() {
        IdempotencyKeys.Claim claim = claim();
        UUID payment = writePayment(claim).payment().id;
        assertEquals(payment.toString(), db.queryString("SELECT payment_id::text FROM idempotency_key "
                + "WHERE owner_id = ? AND idem_key = ?", shop.owner().id(), key));
    }

    @Test
    void aRetryIs409WhileTheFirstMayStillRunThen202WithThePaymentItWrote() {
        UUID payment = writePayment(claim()).payment().id;

        ExtractableResponse<Response> early = retry();
        assertEquals(409, early.statusCode(), early.asString());
        assertTrue(early.<String>path("error").contains("still in progress; retry in"), early.asString());

        ageClaim(61);
        ExtractableResponse<Response> taken = retry();
        assertEquals(202, taken.statusCode(), taken.asString());
        assertEquals(payment.toString(), taken.path("payment.id"));
        assertEquals(payment.toString(), taken.path("intasend.payment_id"));
        assertEquals("UNKNOWN", taken.path("intasend.state"));
        assertEquals("processing", taken.path("payment.status"));
        assertEquals("true", taken.header("Idempotent-Replayed"));
        assertEquals(1, payments(), "no second payment");
        shop.owner().withJwt().get("/payments/" + payment + "/events/").then()
                .body("events.type", hasItems("created", "requires_recovery"))
                .body("events.find { it.type == 'requires_recovery' }.result_desc", containsString("did not finish"));

        // The takeover's answer is the key's answer from now on.
        ExtractableResponse<Response> again = retry();
        assertEquals(202, again.statusCode());
        assertEquals(payment.toString(), again.path("payment.id"));
        assertEquals(1, db.queryLong("SELECT count(*) FROM payment_event WHERE payment_id = ? "
                + "AND type = 'requires_recovery'", payment));
    }

    @Test
    void aRetryAfterTheTimeoutRunsAfreshWhenTheFirstWroteNoPayment() {
        claim();
        ageClaim(61);
        ExtractableResponse<Response> fresh = retry();
        assertEquals(201, fresh.statusCode(), fresh.asString());
        assertEquals(1, payments());
        ExtractableResponse<Response> replay = retry();
        assertEquals(201, replay.statusCode());
        assertEquals(fresh.<String>path("payment.id"), replay.path("payment.id"));
        assertEquals("true", replay.header("Idempotent-Replayed"));
    }

    @Test
    void theRequestATakeoverReplacedCanWriteNoSecondPayment() {
        IdempotencyKeys.Claim stale = claim();
        ageClaim(61);
        ExtractableResponse<Response> fresh = retry();
        assertEquals(201, fresh.statusCode(), fresh.asString());

        // The first request was only slow: it now gets to writing its payment, under its old claim.
        PaymentService.Purchase late = payments.validate(new PaymentService.Caller(shop.owner().id(), true,
                shop.owner().hotspotAddress()), request, Payment.STK_PUSH, CHANNEL);
        Conflict refused = assertThrows(Conflict.class, () -> settlement.created(late.payment(), Source.portal, stale));
        assertEquals(IdempotencyKeys.TAKEN_OVER, refused.getMessage());
        assertEquals(1, payments(), "the late payment was rolled back with the refused key update");
        assertNotEquals(late.payment().id.toString(), fresh.path("payment.id"));
        assertEquals(fresh.<String>path("payment.id"), retry().path("payment.id"));
    }

    @Test
    void retriesRacingForAStaleClaimTakeItOverOnce() throws Exception {
        UUID payment = writePayment(claim()).payment().id;
        ageClaim(61);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ExtractableResponse<Response>>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(pool.submit(this::retry));
            }
            for (Future<ExtractableResponse<Response>> answer : answers) {
                ExtractableResponse<Response> r = answer.get();
                // 409 only for a retry that read the stale claim while another was taking it over, a moment ago.
                assertTrue(r.statusCode() == 202 || r.statusCode() == 409, r.asString());
                if (r.statusCode() == 202) {
                    assertEquals(payment.toString(), r.path("payment.id"));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(202, retry().statusCode());
        assertEquals(1, payments());
        shop.owner().withJwt().get("/payments/" + payment + "/events/").then()
                .body("events.findAll { it.type == 'requires_recovery' }.size()", equalTo(1));
    }

    @Test
    void keysPastTheirRetentionArePrunedOthersKept() {
        claim();
        assertEquals(1, db.update("UPDATE idempotency_key SET created_at = now() - interval '49 hours' "
                + "WHERE owner_id = ? AND idem_key = ?", shop.owner().id(), key));
        String old = key;
        key = UUID.randomUUID().toString();
        claim();
        keys.prune();
        assertEquals(List.of(key), db.queryStrings("SELECT idem_key FROM idempotency_key WHERE owner_id = ?",
                shop.owner().id()), "only " + old + " was past the 48 h retention");
    }
}
