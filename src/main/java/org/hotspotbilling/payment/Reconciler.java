package org.hotspotbilling.payment;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;
import jakarta.persistence.EntityManager;
import org.hotspotbilling.payment.PaymentEvent.Source;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Settles payments the provider never told us about (lost webhooks, unknown outcomes, an app killed mid-flow).
 * Each run claims due payments with {@code FOR UPDATE SKIP LOCKED} and pushes their next check out by a lease
 * before calling the provider, so several instances share the work and none checks a payment twice at once.
 * State lives in the payment rows: after a restart the next run simply finds what is due.
 */
@ApplicationScoped
public class Reconciler {

    static final String NEVER_CONFIRMED = "provider never confirmed";
    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    /** How long a claim keeps other instances away while this one calls the provider. */
    private static final Duration LEASE = Duration.ofMinutes(2);
    /** The claim query lives in a file of its own, which the history benchmark runs as it is. */
    static final String CLAIM_SQL = sql("/sql/reconcile-claim.sql");

    private final EntityManager em;
    private final PaymentService payments;
    private final PaymentSettlement settlement;
    private final PaymentConfig.Reconcile config;

    public Reconciler(EntityManager em, PaymentService payments, PaymentSettlement settlement, PaymentConfig config) {
        this.em = em;
        this.payments = payments;
        this.settlement = settlement;
        this.config = config.reconcile();
    }

    @Scheduled(every = "${hotspot.payments.reconcile.every:15s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Reconciler.Disabled.class)
    void scheduled() {
        int settled = runOnce(Instant.now());
        if (settled > 0) {
            LOG.infof("Reconciler settled %d payment(s)", settled);
        }
    }

    /** One pass over the payments due at {@code now}; answers how many it settled. */
    public int runOnce(Instant now) {
        int settled = 0;
        for (UUID id : claim(now)) {
            try {
                settled += check(id, now) ? 1 : 0;
            } catch (RuntimeException e) {
                LOG.errorf(e, "Reconciling payment %s failed; it will be retried after its lease", id);
            }
        }
        return settled;
    }

    @SuppressWarnings("unchecked")
    List<UUID> claim(Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<UUID> due = em.createNativeQuery(CLAIM_SQL, UUID.class)
                    .setParameter(1, now).setParameter(2, config.batchSize())
                    .getResultList();
            if (!due.isEmpty()) {
                em.createNativeQuery("UPDATE payment SET next_check_at = ?1, check_attempts = check_attempts + 1 "
                                + "WHERE id IN (?2)")
                        .setParameter(1, now.plus(LEASE)).setParameter(2, due)
                        .executeUpdate();
            }
            return due;
        });
    }

    private boolean check(UUID id, Instant now) {
        Payment payment = QuarkusTransaction.requiringNew().call(() -> Payment.<Payment>findById(id));
        if (payment == null || !payment.status.open()) {
            return false;
        }
        if (payment.intasendInvoiceId != null) {
            Payment after = payments.refreshFromProvider(payment, Source.reconciler);
            if (!after.status.open()) {
                return true;
            }
        }
        if (Duration.between(payment.createdAt, now).compareTo(config.giveUpAfter()) >= 0) {
            settlement.fail(id, Source.reconciler, null, NEVER_CONFIRMED);
            return true;
        }
        scheduleNext(id, payment.checkAttempts + 1, now);
        return false;
    }

    private void scheduleNext(UUID id, int attempts, Instant now) {
        Duration delay = config.backoff().multipliedBy(1L << Math.min(attempts - 1, 16));
        Instant next = now.plus(delay.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : delay);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "UPDATE payment SET next_check_at = ?1 WHERE id = ?2 AND status IN ('pending', 'processing')")
                .setParameter(1, next).setParameter(2, id).executeUpdate());
    }

    /** A statement from the classpath, without its comment lines. */
    private static String sql(String resource) {
        try (InputStream in = Reconciler.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.stripLeading().startsWith("--"))
                    .collect(Collectors.joining("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Skips scheduled runs when hotspot.payments.reconcile.enabled is false (tests drive runOnce themselves). */
    @Singleton
    public static class Disabled implements Scheduled.SkipPredicate {
        private final PaymentConfig config;

        public Disabled(PaymentConfig config) {
            this.config = config;
        }

        @Override
        public boolean test(ScheduledExecution execution) {
            return !config.reconcile().enabled();
        }
    }
}
