package org.hotspotbilling.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import org.hotspotbilling.payment.PaymentOutcome;
import org.hotspotbilling.provider.Environment;
import org.hotspotbilling.provider.ProviderName;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Payments by provider, provider mode and outcome ({@code hotspot_payments_total}), and the time from initiate to
 * completion ({@code hotspot_payment_completion_seconds}), counted when the change commits: a rolled-back
 * settlement counts nothing, and each payment's completion is counted once, by the instance that made it.
 */
@ApplicationScoped
public class PaymentMetrics {

    /**
     * Buckets of the completion histogram: an STK push is answered on the phone in seconds to a minute; beyond 10
     * minutes it was settled by the reconciler or a late webhook.
     */
    private static final Duration[] COMPLETION_BUCKETS = {
        Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(15),
        Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(45), Duration.ofSeconds(60),
        Duration.ofSeconds(90), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
        Duration.ofMinutes(30), Duration.ofHours(1)};

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public PaymentMetrics(Metrics metrics) {
        this.registry = metrics.registry();
    }

    void count(@Observes(during = TransactionPhase.AFTER_SUCCESS) PaymentOutcome outcome) {
        String provider = provider(outcome.provider());
        String mode = mode(outcome.mode());
        counters.computeIfAbsent(provider + '/' + mode + '/' + outcome.outcome(), key -> Counter
                .builder("hotspot.payments")
                .description("Payments by provider, provider mode and outcome (initiated, succeeded, late_success, "
                        + "failed)")
                .tags("provider", provider, "mode", mode, "outcome", outcome.outcome().name())
                .register(registry)).increment();
        if (outcome.toComplete() != null) {
            timers.computeIfAbsent(provider + '/' + mode, key -> Timer.builder("hotspot.payment.completion")
                    .description("Time from initiate to completion of payments completed while open")
                    .tags("provider", provider, "mode", mode)
                    .serviceLevelObjectives(COMPLETION_BUCKETS)
                    .register(registry)).record(outcome.toComplete());
        }
    }

    /** Provider names are a small fixed set; anything else (a column edited by hand) is one "other" label. */
    static String provider(String name) {
        for (ProviderName known : ProviderName.values()) {
            if (known.name().equals(name)) {
                return name;
            }
        }
        return "other";
    }

    static String mode(Environment mode) {
        return mode == null ? "unknown" : mode.name();
    }
}
