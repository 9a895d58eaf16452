package org.hotspotbilling.payment;

import org.junit.jupiter.api.Test;

import static org.hotspotbilling.payment.PaymentStatus.cancelled;
import static org.hotspotbilling.payment.PaymentStatus.completed;
import static org.hotspotbilling.payment.PaymentStatus.failed;
import static org.hotspotbilling.payment.PaymentStatus.pending;
import static org.hotspotbilling.payment.PaymentStatus.processing;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table of docs/payments.md "Payment life": which status may follow which. */
class PaymentStatusTest {

    @Test
    void aCompletedPaymentNeverMovesAgain() {
        for (PaymentStatus next : PaymentStatus.values()) {
            assertFalse(completed.canMoveTo(next), "completed → " + next);
        }
    }

    @Test
    void anEndedPaymentCanOnlyBecomeALateSuccess() {
        for (PaymentStatus ended : new PaymentStatus[] { failed, cancelled }) {
            assertTrue(ended.canMoveTo(completed));
            assertFalse(ended.canMoveTo(pending));
            assertFalse(ended.canMoveTo(processing));
            assertFalse(ended.canMoveTo(failed));
            assertFalse(ended.canMoveTo(cancelled));
        }
    }

    @Test
    void openPaymentsMoveForwardOnly() {
        assertTrue(pending.canMoveTo(processing));
        assertTrue(pending.canMoveTo(failed));
        assertTrue(processing.canMoveTo(completed));
        assertTrue(processing.canMoveTo(failed));
        assertTrue(processing.canMoveTo(cancelled));
        assertFalse(processing.canMoveTo(pending));
        assertFalse(pending.canMoveTo(pending));
    }
}
