package org.hotspotbilling.payment;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Payments: how open payments are reconciled, and how long idempotency keys are kept. */
@ConfigMapping(prefix = "hotspot.payments")
public interface PaymentConfig {

    Reconcile reconcile();

    /** How long an Idempotency-Key and its first answer are kept (at least 24 h). */
    @WithDefault("48h")
    Duration idempotencyRetention();

    /**
     * How long a key's first request may run before a retry with the key takes over (answering with the payment
     * that request wrote, or running afresh when it wrote none): the longest a retry can be told 409 "still in
     * progress". Keep it above the provider's connect plus read timeout, so a live request is rarely taken over.
     * docs/payments-rules.md, "Idempotency".
     */
    @WithDefault("60s")
    Duration idempotencyLockTimeout();

    interface Reconcile {
        /** Run the reconciler at all (on every instance; instances share the work through row claims). */
        @WithDefault("true")
        boolean enabled();

        /** How often each instance looks for open payments to check. */
        @WithDefault("15s")
        Duration every();

        /** Age of a payment before the reconciler first asks the provider (webhooks usually arrive sooner). */
        @WithDefault("60s")
        Duration firstCheckAfter();

        /** Delay after the first unanswered check; doubles each time up to {@link #maxBackoff()}. */
        @WithDefault("30s")
        Duration backoff();

        @WithDefault("10m")
        Duration maxBackoff();

        /** Age at which a payment the provider never confirmed is failed ("provider never confirmed"). */
        @WithDefault("2h")
        Duration giveUpAfter();

        /** Payments claimed per run and instance. */
        @WithDefault("50")
        int batchSize();
    }
}
