package org.hotspotbilling.payment;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The reference's statuses; the constants are the JSON and database values. Which status may follow which is the
 * one table below (docs/payments.md "Payment life"); {@link PaymentSettlement} refuses anything else.
 */
public enum PaymentStatus {
    pending,
    processing,
    completed,
    failed,
    cancelled;

    private static final Map<PaymentStatus, Set<PaymentStatus>> NEXT = Map.of(
            pending, EnumSet.of(processing, completed, failed, cancelled),
            processing, EnumSet.of(completed, failed, cancelled),
            // Money that arrives after we stopped waiting is never dropped: a late success completes the payment.
            failed, EnumSet.of(completed),
            cancelled, EnumSet.of(completed),
            // A completed payment never changes status again.
            completed, EnumSet.noneOf(PaymentStatus.class));

    /** Still waiting for the provider's word. */
    public boolean open() {
        return this == pending || this == processing;
    }

    public boolean canMoveTo(PaymentStatus next) {
        return NEXT.get(this).contains(next);
    }
}
