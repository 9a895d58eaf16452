package org.hotspotbilling.payment;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Payments: how open payments are reconciled, and how long idempotency keys are kept. */
@ConfigMapping(prefix = "hotspot.payments")
public interface PaymentConfig {

    Reconcile reconcile();

    /**
     * The portal's check-status asks the provider about one open payment at most this often, however often it
     * polls; polls in between answer from the database.
     */
    @WithDefault("3s")
    Duration statusMinInterval();

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

        /**
         * Age past which a payment the provider still calls pending is failed ("provider never confirmed"). Only the
         * provider's own "pending" counts: while it cannot be asked, the payment stays open.
         */
        @WithDefault("2h")
        Duration giveUpAfter();

        /** After giving up, the provider is asked once more this much later; a success then completes it. */
        @WithDefault("24h")
        Duration lateCheckAfter();

        /** Payments claimed per run and instance. */
        @WithDefault("50")
        int batchSize();
    }
}
