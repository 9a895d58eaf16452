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
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
    /** The claim query lives in a file of its own, which the history benchmark runs as it is. */
    static final String CLAIM_SQL = sql("/sql/reconcile-claim.sql");

    private final EntityManager em;
    private final ProviderConfirmation confirmation;
    private final PaymentSettlement settlement;
    private final PaymentConfig.Reconcile config;
    /** How long a claim keeps other instances away while this one calls the provider. */
    private final Duration lease;
    /** A run's claimed batch is checked on these threads, so one slow provider answer does not hold up the rest. */
    private final ExecutorService checks;
    /** Confirmations a webhook asked for, run here at once; a full queue leaves them to the next run. */
    private final ThreadPoolExecutor now = new ThreadPoolExecutor(4, 4, 1, TimeUnit.MINUTES,
            new ArrayBlockingQueue<>(10_000), new ThreadPoolExecutor.DiscardPolicy());

    public Reconciler(EntityManager em, ProviderConfirmation confirmation, PaymentSettlement settlement,
            PaymentConfig config) {
        this.em = em;
        this.confirmation = confirmation;
        this.settlement = settlement;
        this.config = config.reconcile();
        this.lease = this.config.lease();
        this.checks = Executors.newFixedThreadPool(Math.max(1, this.config.parallelism()));
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

    /**
     * One pass over the payments due at {@code now}, checked {@code parallelism} at a time; answers how many it
     * settled. A payment whose check could not start within half the lease is left alone: its claim may run out
     * while we ask, and another instance would ask again at the same time. Its mark stays due after the lease.
     */
    public int runOnce(Instant at) {
        Instant now = at.truncatedTo(ChronoUnit.MICROS); // as stored: a claim's lease must read back equal
        Instant startBy = now.plus(lease.dividedBy(2));
        List<Callable<Boolean>> work = claim(now).stream().<Callable<Boolean>>map(id -> () ->
                Instant.now().isBefore(startBy) && checkClaimed(id, now, Source.reconciler, () -> true)).toList();
        int settled = 0;
        try {
            for (Future<Boolean> done : checks.invokeAll(work)) {
                settled += done.get() ? 1 : 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // shutting down: unchecked claims come due again after the lease
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause()); // checkClaimed catches what a check throws
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
            checkClaimed(id, at, Source.webhook, () -> claimOne(id, at));
        });
    }

    void stop(@Observes ShutdownEvent event) {
        now.shutdownNow();
        checks.shutdownNow();
    }

    @SuppressWarnings("unchecked")
    List<UUID> claim(Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<UUID> due = em.createNativeQuery(CLAIM_SQL, UUID.class)
                    .setParameter(1, now).setParameter(2, config.batchSize())
                    .getResultList();
            if (!due.isEmpty()) {
                em.createNativeQuery("UPDATE payment SET next_check_at = ?1 WHERE id IN (?2)")
                        .setParameter(1, now.plus(lease)).setParameter(2, due)
                        .executeUpdate();
            }
            return due;
        });
    }

    /**
     * Claims one payment whose mark is due, unless another instance holds its row: one statement, inside the
     * caller's transaction (the row stays locked until it commits).
     */
    private boolean claimOne(UUID id, Instant now) {
        return em.createNativeQuery("UPDATE payment SET next_check_at = ?1 WHERE id = (SELECT id FROM payment "
                        + "WHERE id = ?2 AND next_check_at <= ?3 FOR UPDATE SKIP LOCKED)")
                .setParameter(1, now.plus(lease)).setParameter(2, id).setParameter(3, now).executeUpdate() == 1;
    }

    /**
     * Checks a payment: {@code claim} (true when the run's batch claim already holds it) and the read of what to ask
     * are one transaction; the provider is then asked with none open. Answers whether it settled. A failure is
     * logged: the payment is checked again once its lease has passed.
     */
    private boolean checkClaimed(UUID id, Instant now, Source source, BooleanSupplier claim) {
        try {
            ProviderConfirmation.Prepared prepared = QuarkusTransaction.requiringNew().call(() -> {
                Payment payment = claim.getAsBoolean() ? Payment.findById(id) : null;
                return payment == null ? null : confirmation.prepare(payment, source);
            });
            return prepared != null && check(prepared, now, source);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Reconciling payment %s failed; it will be retried after its lease", id);
            return false;
        }
    }

    /** Asks the provider about a claimed payment and decides what comes next; answers whether it settled. */
    private boolean check(ProviderConfirmation.Prepared prepared, Instant now, Source source) {
        UUID id = prepared.payment().id;
        ProviderConfirmation.Outcome outcome = prepared.ready() ? confirmation.ask(prepared, source)
                : prepared.outcome();
        Payment payment = outcome.payment();
        // A webhook that spoke while we asked moved the mark before our lease: its word is newer than our answer.
        Instant claimedUntil = now.plus(lease);
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
     * The next check: backoff doubling per check made, capped, counted from when the answer came (a slow provider
     * call must not leave the next check already due). A mark moved before our lease meanwhile (a webhook spoke)
     * is kept, and a settled payment (no mark) stays unmarked.
     */
    private void scheduleNext(Payment payment, Instant now) {
        Duration delay = config.backoff().multipliedBy(1L << Math.min(payment.checkAttempts, 16));
        Instant answered = now.isAfter(Instant.now()) ? now : Instant.now();
        Instant next = answered.plus(delay.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : delay);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("UPDATE payment SET next_check_at = CASE "
                        + "WHEN next_check_at < ?3 THEN next_check_at ELSE ?1 END, check_attempts = check_attempts + 1 "
                        + "WHERE id = ?2 AND next_check_at IS NOT NULL")
                .setParameter(1, next).setParameter(2, payment.id).setParameter(3, now.plus(lease)).executeUpdate());
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
