package org.hotspotbilling.payment;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.IntaSendFake;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.hotspotbilling.payment.ConfirmationGapsTest.invoice;
import static org.hotspotbilling.payment.ConfirmationGapsTest.phone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How one reconciler run treats its claimed batch (docs/payments.md "Reconciler"): the claim lasts the configured
 * lease (90 s in tests), the batch is asked about in parallel, a check that could not start within half the lease
 * is left to a later run, and the next check counts from when the answer came.
 */
@QuarkusTest
class ReconcilerRunsTest {

    private static final int SLOW_ANSWER_MS = 700;

    @Inject
    Db db;

    @Inject
    Reconciler reconciler;

    /** An open payment IntaSend knows as {@code invoice}, whose status API answers 503 after {@code delayMs}. */
    private String openPayment(Shop shop, String invoice, int delayMs) {
        String phone = phone();
        IntaSendFake.pushAccepted(phone, invoice);
        String id = shop.paymentViaPhone(phone);
        IntaSendFake.statusAnswers(invoice, IntaSendFake.json(503, "{}").withFixedDelay(delayMs));
        return id;
    }

    /** Puts the payment's mark far in the past, so the next claim takes it before anything else that is due. */
    private void dueFirst(String id) {
        assertEquals(1, db.update("UPDATE payment SET next_check_at = '2000-01-01T00:00:00Z' WHERE id = ?::uuid", id));
    }

    private Instant mark(String id) {
        return db.queryInstant("SELECT next_check_at FROM payment WHERE id = ?::uuid", id);
    }

    @Test
    void aClaimHoldsThePaymentForTheConfiguredLease() {
        String id = openPayment(Shop.sandbox(), invoice(), 0);
        dueFirst(id);
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        assertTrue(reconciler.claim(at).contains(java.util.UUID.fromString(id)));
        assertEquals(at.plus(Duration.ofSeconds(90)), mark(id));
    }

    @Test
    void aClaimedBatchIsAskedAboutInParallel() {
        Shop shop = Shop.sandbox();
        List<String> invoices = List.of(invoice(), invoice(), invoice());
        for (String invoice : invoices) {
            dueFirst(openPayment(shop, invoice, SLOW_ANSWER_MS));
        }
        reconciler.runOnce(Instant.now());

        List<Long> asked = new ArrayList<>();
        for (String invoice : invoices) {
            List<LoggedRequest> calls = IntaSendFake.statusCallsFor(invoice);
            assertEquals(1, calls.size(), invoice);
            asked.add(calls.get(0).getLoggedDate().getTime());
        }
        asked.sort(null);
        // One after the other, each question would wait for the previous answer (at least 700 ms apart).
        assertTrue(asked.get(2) - asked.get(0) < SLOW_ANSWER_MS,
                "all three were asked before the first answer came: " + asked);
    }

    @Test
    void aCheckThatCannotStartWithinHalfTheLeaseIsLeftForALaterRun() {
        String invoice = invoice();
        String id = openPayment(Shop.sandbox(), invoice, 0);
        dueFirst(id);
        // A run whose claim was made 60 s ago: past half of the 90 s lease, another instance may soon claim it.
        Instant late = Instant.now().minus(Duration.ofSeconds(60)).truncatedTo(ChronoUnit.MICROS);
        reconciler.runOnce(late);
        assertEquals(0, IntaSendFake.statusCallsFor(invoice).size());
        assertEquals(late.plus(Duration.ofSeconds(90)), mark(id), "still claimed; due again when the lease ends");
        assertEquals(0, db.queryLong("SELECT check_attempts FROM payment WHERE id = ?::uuid", id));
    }

    @Test
    void theNextCheckCountsFromTheAnswerNotFromTheClaim() {
        String invoice = invoice();
        String id = openPayment(Shop.sandbox(), invoice, 0);
        dueFirst(id);
        // Claimed 40 s ago (a slow batch): counted from the claim, the 30 s backoff would already be over.
        Instant claimed = Instant.now().minus(Duration.ofSeconds(40));
        reconciler.runOnce(claimed);
        Instant answered = Instant.now();
        assertEquals(1, IntaSendFake.statusCallsFor(invoice).size());
        Instant next = mark(id);
        assertTrue(!next.isBefore(answered.plus(Duration.ofSeconds(29))),
                "next check at " + next + ", answer came at " + answered);
    }
}
