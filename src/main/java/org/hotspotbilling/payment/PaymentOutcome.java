package org.hotspotbilling.payment;

import org.hotspotbilling.provider.Environment;

import java.time.Duration;

/**
 * A payment was created, completed or failed: fired by {@link PaymentSettlement} inside the transaction that made the
 * change, for observers that act only once it commits (ops/PaymentMetrics counts them). Carries nothing that
 * names the payment or its customer.
 *
 * @param provider the provider's name ({@code instasend}, {@code mpesa}, ...)
 * @param toComplete from creation to completion; null unless {@code outcome} is {@code succeeded}
 */
public record PaymentOutcome(String provider, Environment mode, Kind outcome, Duration toComplete) {

    public enum Kind {
        /** A payment was written (the portal asked for it); its push or link may still fail. */
        initiated,
        /** Completed while open. */
        succeeded,
        /** Completed after we had failed it: money that arrived late (docs/payments.md). */
        late_success,
        /** Failed: by the provider's word, the reconciler's give-up, or the owner. */
        failed
    }
}
