package org.hotspotbilling.payment;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Asks the provider about every payment whose durable "ask the provider" mark ({@code next_check_at}) is due:
 * open payments nobody told us about (lost webhooks, unknown outcomes, an app killed mid-flow), payments a webhook
 * just spoke of, and given-up payments due their one late re-check (docs/payments.md "Reconciler").
 *
 * <p>Each run claims due payments with {@code FOR UPDATE SKIP LOCKED} and pushes their mark out by a lease before
 * asking, so several instances share the work and none asks about a payment twice at once. A webhook's mark is
 * also acted on at once by the instance that received it ({@link #confirmNow}); if that instance dies, the next
 * run of any instance finds the mark. State lives in the payment rows: after a restart the next run simply finds
 * what is due.
 */
@ApplicationScoped
public class Reconciler {

    static final String NEVER_CONFIRMED = "provider never confirmed";
    static final String NEVER_TOLD = "The provider never told us an invoice for this payment (its answer to the "
            + "push was lost and no webhook named it), so it cannot be asked about it";
    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    /** How long a claim keeps other instances away while this one calls the provider. */
    private static final Duration LEASE = Duration.ofMinutes(2);
    /** The claim query lives in a file of its own, which the history benchmark runs as it is. */
    static final String CLAIM_SQL = sql("/sql/reconcile-claim.sql");

    private final EntityManager em;
    private final ProviderConfirmation confirmation;
    private final PaymentSettlement settlement;
    private final PaymentConfig.Reconcile config;
    /** Confirmations a webhook asked for, run here at once; a full queue leaves them to the next run. */
    private final ThreadPoolExecutor now = new ThreadPoolExecutor(4, 4, 1, TimeUnit.MINUTES,
            new ArrayBlockingQueue<>(10_000), new ThreadPoolExecutor.DiscardPolicy());

    public Reconciler(EntityManager em, ProviderConfirmation confirmation, PaymentSettlement settlement,
            PaymentConfig config) {
        this.em = em;
        this.confirmation = confirmation;
        this.settlement = settlement;
        this.config = config.reconcile();
        this.now.allowCoreThreadTimeOut(true);
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
    public int runOnce(Instant at) {
        Instant now = at.truncatedTo(ChronoUnit.MICROS); // as stored: a claim's lease must read back equal
        int settled = 0;
        for (UUID id : claim(now)) {
            settled += checkClaimed(id, now, Source.reconciler) ? 1 : 0;
        }
        return settled;
    }

    /**
     * Asks about one payment right away, on this instance's confirmation threads, if its mark is due and no other
     * instance holds it: what a webhook asks for after its delivery is recorded and answered.
     */
    public void confirmNow(UUID id) {
        now.execute(() -> {
            Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
            if (claimOne(id, at)) {
                checkClaimed(id, at, Source.webhook);
            }
        });
    }

    void stop(@Observes ShutdownEvent event) {
        now.shutdownNow();
    }

    @SuppressWarnings("unchecked")
    List<UUID> claim(Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<UUID> due = em.createNativeQuery(CLAIM_SQL, UUID.class)
                    .setParameter(1, now).setParameter(2, config.batchSize())
                    .getResultList();
            if (!due.isEmpty()) {
                em.createNativeQuery("UPDATE payment SET next_check_at = ?1 WHERE id IN (?2)")
                        .setParameter(1, now.plus(LEASE)).setParameter(2, due)
                        .executeUpdate();
            }
            return due;
        });
    }

    private boolean claimOne(UUID id, Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> !em.createNativeQuery("SELECT id FROM payment "
                        + "WHERE id = ?1 AND next_check_at <= ?2 FOR UPDATE SKIP LOCKED")
                .setParameter(1, id).setParameter(2, now).getResultList().isEmpty()
                && em.createNativeQuery("UPDATE payment SET next_check_at = ?1 WHERE id = ?2")
                        .setParameter(1, now.plus(LEASE)).setParameter(2, id).executeUpdate() == 1);
    }

    private boolean checkClaimed(UUID id, Instant now, Source source) {
        try {
            return check(id, now, source);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Reconciling payment %s failed; it will be retried after its lease", id);
            return false;
        }
    }

    /** Asks the provider about a claimed payment and decides what comes next; answers whether it settled. */
    private boolean check(UUID id, Instant now, Source source) {
        ProviderConfirmation.Prepared prepared = QuarkusTransaction.requiringNew().call(() -> {
            Payment payment = Payment.findById(id);
            return payment == null ? null : confirmation.prepare(payment, source);
        });
        if (prepared == null) {
            return false;
        }
        ProviderConfirmation.Outcome outcome = prepared.ready() ? confirmation.ask(prepared, source)
                : prepared.outcome();
        Payment payment = outcome.payment();
        // A webhook that spoke while we asked moved the mark before our lease: its word is newer than our answer.
        Instant claimedUntil = now.plus(LEASE);
        boolean pastGiveUp = Duration.between(payment.createdAt, now).compareTo(config.giveUpAfter()) >= 0;
        switch (outcome.kind()) {
            case SETTLED -> {
                return true;
            }
            case ALREADY_COMPLETED, NO_CREDENTIAL -> {
                return false; // nothing more to ask (completion and needsOwner cleared the mark)
            }
            case ANSWERED -> {
                if (!payment.status.open()) {
                    settlement.lateCheckDone(id, source, outcome.rawState(), claimedUntil);
                } else if (pastGiveUp) {
                    return !settlement.giveUp(id, source, NEVER_CONFIRMED, now.plus(config.lateCheckAfter()),
                            claimedUntil).status.open();
                } else {
                    scheduleNext(payment, now);
                }
            }
            case NOTHING_TO_ASK -> {
                if (pastGiveUp || !payment.status.open()) {
                    settlement.needsOwnerUnlessAskable(id, source, NEVER_TOLD);
                } else {
                    scheduleNext(payment, now); // a webhook may yet tell us its invoice
                }
            }
            // Not an answer about this payment: it never counts toward giving up.
            case NO_ANSWER, MISMATCH -> scheduleNext(payment, now);
        }
        return false;
    }

    /**
     * The next check after {@code now}: backoff doubling per check made, capped. A mark moved before our lease
     * meanwhile (a webhook spoke) is kept, and a settled payment (no mark) stays unmarked.
     */
    private void scheduleNext(Payment payment, Instant now) {
        Duration delay = config.backoff().multipliedBy(1L << Math.min(payment.checkAttempts, 16));
        Instant next = now.plus(delay.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : delay);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("UPDATE payment SET next_check_at = CASE "
                        + "WHEN next_check_at < ?3 THEN next_check_at ELSE ?1 END, check_attempts = check_attempts + 1 "
                        + "WHERE id = ?2 AND next_check_at IS NOT NULL")
                .setParameter(1, next).setParameter(2, payment.id).setParameter(3, now.plus(LEASE)).executeUpdate());
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
