package org.hotspotbilling.payment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;
import org.hotspotbilling.crypto.Hashes;
import org.hotspotbilling.payment.PaymentDtos.PortalAnswer;
import org.hotspotbilling.web.ApiException;
import org.hotspotbilling.web.Conflict;
import org.hotspotbilling.web.ErrorBody;
import org.hotspotbilling.web.Invalid;
import org.hotspotbilling.web.RateLimiter;
import org.hotspotbilling.web.TooManyRequests;
import org.hotspotbilling.work.BatchedDelete;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code Idempotency-Key} for the purchase endpoints, Stripe's way: the first request with a key claims it in
 * PostgreSQL (unique per owner and key), runs, and stores its answer; the same key with the same body gets that
 * answer again, with another body a 422, and while the first is still running a 409. A request refused during
 * validation stores nothing, so correcting and retrying with the same key is safe. Keys are kept for
 * {@link PaymentConfig#idempotencyRetention()}.
 *
 * <p>A first request may die between its claim and its answer (a crash, a kill, a lost connection to the database).
 * The payment it wrote records itself on the key in the same transaction ({@link #attach}), so after
 * {@link PaymentConfig#idempotencyLockTimeout()} a retry takes the claim over and answers with that payment as an
 * unknown outcome (202), or, when no payment was written, runs afresh. A takeover gives the claim a new token: the
 * request it replaced, should it still be alive, can no longer attach a payment (its transaction is rolled back) or
 * store an answer. Rules: {@code docs/payments-rules.md}, "Idempotency".
 */
@ApplicationScoped
public class IdempotencyKeys {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");
    static final String TAKEN_OVER = "A retry with this " + HEADER + " took over after this request ran too long; "
            + "its answer is the one that counts";

    private final EntityManager em;
    private final ObjectMapper json;
    private final PaymentConfig config;

    public IdempotencyKeys(EntityManager em, ObjectMapper json, PaymentConfig config) {
        this.em = em;
        this.json = json;
        this.config = config;
        if (config.idempotencyRetention().compareTo(Duration.ofHours(24)) < 0) {
            // Clients retry for up to a day; a shorter memory would let a retry charge the customer twice.
            throw new IllegalStateException("hotspot.payments.idempotency-retention must be at least 24h");
        }
        if (config.idempotencyLockTimeout().compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalStateException("hotspot.payments.idempotency-lock-timeout must be at least 1s");
        }
    }

    /** An answer and whether it is a replay of the key's first answer. */
    public record Outcome(PortalAnswer answer, boolean replayed) {
    }

    /** The claim a request holds on a key: what it passes to the transaction that writes its payment. */
    public record Claim(long ownerId, String key, UUID token) {
    }

    /**
     * Runs a purchase under a key in two transactions, as without one: {@code open} with the claim (claims the key,
     * validates and writes the payment, which records itself on the key with {@link #attach}; a refusal there
     * writes nothing and leaves the key free), then {@code execute}, which calls the provider and stores its answer
     * on the key with {@link #answerWithin} in the transaction that applies that answer. {@code unfinished} answers
     * for a payment whose first request never finished. Without a key, runs it plainly (the claim is null).
     */
    public <T> Outcome run(long ownerId, String key, String endpoint, Object request, Function<Claim, T> open,
            BiFunction<T, Claim, PortalAnswer> execute, Function<UUID, PortalAnswer> unfinished) {
        if (key == null) {
            return new Outcome(execute.apply(open.apply(null), null), false);
        }
        if (!KEY.matcher(key).matches()) {
            throw new Invalid(HEADER + " must be 1 to 255 visible ASCII characters");
        }
        String fingerprint = fingerprint(endpoint, request);
        Opened<T> first = claimAndOpen(ownerId, key, endpoint, fingerprint, open);
        Claim claim;
        T opened;
        if (first != null) {
            claim = first.claim();
            opened = first.opened();
        } else {
            Held held = held(ownerId, key, endpoint, fingerprint);
            if (held.answer() != null) {
                return new Outcome(held.answer(), true);
            }
            claim = held.takenOver();
            if (held.paymentId() != null) {
                // The first request wrote its payment and died: its outcome is unknown, as after a provider timeout.
                PortalAnswer answer = unfinished.apply(held.paymentId());
                store(claim, answer);
                return new Outcome(answer, true);
            }
            try {
                opened = open.apply(claim);
            } catch (RuntimeException e) {
                release(claim);
                throw e;
            }
        }
        PortalAnswer answer;
        try {
            answer = execute.apply(opened, claim);
        } catch (ApiException e) {
            store(claim, new PortalAnswer(e.status(), ErrorBody.of(e.getMessage())));
            throw e;
        } catch (RuntimeException e) {
            store(claim, new PortalAnswer(500, ErrorBody.of("Internal server error")));
            throw e;
        }
        return new Outcome(answer, false);
    }

    private record Opened<T>(Claim claim, T opened) {
    }

    /**
     * Claims a fresh key and runs {@code open} in the same transaction; null (and nothing done) when the key is
     * already held or answered. A request with the same key meanwhile waits for this transaction: it then finds
     * the key claimed with its payment, or free again. A refusal by a rate limit commits the tokens taken before
     * it (as {@code open} does without a key), without the claim.
     */
    private <T> Opened<T> claimAndOpen(long ownerId, String key, String endpoint, String fingerprint,
            Function<Claim, T> open) {
        return QuarkusTransaction.requiringNew()
                .exceptionHandler(RateLimiter::keepTokensOnRefusal)
                .call(() -> {
                    Claim claim = claimHere(ownerId, key, endpoint, fingerprint);
                    if (claim == null) {
                        return null;
                    }
                    try {
                        return new Opened<>(claim, open.apply(claim));
                    } catch (TooManyRequests e) {
                        unclaim(claim);
                        throw e;
                    }
                });
    }

    /**
     * Stores the answer of the request holding {@code claim} (none: nothing to do) in the caller's transaction, the
     * one that applies the provider's answer: unless the claim was taken over meanwhile (then the takeover's answer
     * counts).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void answerWithin(Claim claim, PortalAnswer answer) {
        if (claim != null) {
            writeAnswer(claim, answer);
        }
    }

    /**
     * Records on the key the payment its request is writing, in the transaction that writes it. Fails (rolling
     * the payment back) when the claim was taken over meanwhile: that key already has another request behind it.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void attach(Claim claim, UUID paymentId) {
        int attached = em.createNativeQuery("UPDATE idempotency_key SET payment_id = ?1 WHERE owner_id = ?2 "
                        + "AND idem_key = ?3 AND claim_token = ?4 AND payment_id IS NULL AND response_status IS NULL")
                .setParameter(1, paymentId).setParameter(2, claim.ownerId()).setParameter(3, claim.key())
                .setParameter(4, claim.token())
                .executeUpdate();
        if (attached != 1) {
            throw new Conflict(TAKEN_OVER);
        }
    }

    /** Deletes keys past their retention, in batches so that no delete holds many rows for long. */
    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void prune() {
        BatchedDelete.before(em, "DELETE FROM idempotency_key WHERE ctid = ANY (ARRAY(SELECT ctid FROM idempotency_key "
                + "WHERE created_at < ?1 LIMIT ?2))", Instant.now().minus(config.idempotencyRetention()));
    }

    /** Claims a fresh key in a transaction of its own; null when the key is already held or answered. */
    Claim claim(long ownerId, String key, String endpoint, String fingerprint) {
        return QuarkusTransaction.requiringNew().call(() -> claimHere(ownerId, key, endpoint, fingerprint));
    }

    /**
     * Claims a fresh key in the caller's transaction; null when the key is already held or answered. A key older than
     * the retention is forgotten: it is claimed afresh, as if never used. One statement.
     */
    private Claim claimHere(long ownerId, String key, String endpoint, String fingerprint) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID token = UUID.randomUUID();
        boolean claimed = em.createNativeQuery("INSERT INTO idempotency_key AS k (owner_id, idem_key, endpoint, "
                        + "request_sha256, claim_token, claimed_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) "
                        + "ON CONFLICT (owner_id, idem_key) DO UPDATE SET endpoint = excluded.endpoint, "
                        + "request_sha256 = excluded.request_sha256, claim_token = excluded.claim_token, "
                        + "claimed_at = excluded.claimed_at, created_at = excluded.created_at, payment_id = NULL, "
                        + "response_status = NULL, response_body = NULL WHERE k.created_at < ?7")
                .setParameter(1, ownerId).setParameter(2, key).setParameter(3, endpoint)
                .setParameter(4, fingerprint).setParameter(5, token).setParameter(6, now)
                .setParameter(7, now.minus(config.idempotencyRetention()))
                .executeUpdate() == 1;
        return claimed ? new Claim(ownerId, key, token) : null;
    }

    /** A key someone else claimed: its stored answer, or the claim this request took over (and the payment). */
    private record Held(PortalAnswer answer, Claim takenOver, UUID paymentId) {
    }

    @SuppressWarnings("unchecked")
    private Held held(long ownerId, String key, String endpoint, String fingerprint) {
        List<Tuple> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "SELECT endpoint, request_sha256, response_status, response_body, claim_token, claimed_at "
                                + "FROM idempotency_key WHERE owner_id = ?1 AND idem_key = ?2", Tuple.class)
                .setParameter(1, ownerId).setParameter(2, key).getResultList());
        if (rows.isEmpty()) {
            // The first request was refused during validation and released the key in the meantime.
            throw new Conflict("A request with this " + HEADER + " was just refused; send it again");
        }
        Tuple row = rows.get(0);
        if (!endpoint.equals(row.get(0)) || !fingerprint.equals(row.get(1))) {
            throw new UnprocessableKey();
        }
        if (row.get(2) != null) {
            return new Held(answer(row.get(2), row.get(3)), null, null);
        }
        Duration held = Duration.between(row.get(5, Instant.class), Instant.now());
        if (held.compareTo(config.idempotencyLockTimeout()) < 0) {
            long wait = config.idempotencyLockTimeout().minus(held).toSeconds() + 1;
            throw new Conflict("A request with this " + HEADER + " is still in progress; retry in " + wait
                    + (wait == 1 ? " second" : " seconds"));
        }
        return takeOver(ownerId, key, row.get(4, UUID.class));
    }

    /**
     * Takes over a claim held past the lock timeout, if nobody else did first: a new token, and the payment the
     * first request attached, if any.
     */
    @SuppressWarnings("unchecked")
    private Held takeOver(long ownerId, String key, UUID staleToken) {
        UUID token = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        List<UUID> taken = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "UPDATE idempotency_key SET claim_token = ?1, claimed_at = ?2 WHERE owner_id = ?3 "
                                + "AND idem_key = ?4 AND claim_token = ?5 AND response_status IS NULL "
                                + "RETURNING payment_id", UUID.class)
                .setParameter(1, token).setParameter(2, now).setParameter(3, ownerId).setParameter(4, key)
                .setParameter(5, staleToken).getResultList());
        if (taken.isEmpty()) {
            // Another retry took it over, or the first request answered, a moment ago.
            throw new Conflict("A request with this " + HEADER + " is still in progress; retry later");
        }
        return new Held(null, new Claim(ownerId, key, token), taken.get(0));
    }

    private PortalAnswer answer(Object status, Object body) {
        try {
            return new PortalAnswer(((Number) status).intValue(), json.readTree((String) body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored answer of an idempotency key is not JSON", e);
        }
    }

    /** Stores the answer in a transaction of its own, unless the claim was taken over meanwhile. */
    private void store(Claim claim, PortalAnswer answer) {
        QuarkusTransaction.requiringNew().run(() -> writeAnswer(claim, answer));
    }

    private void writeAnswer(Claim claim, PortalAnswer answer) {
        String body;
        try {
            body = json.writeValueAsString(answer.body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Answer cannot be stored as JSON", e);
        }
        em.createNativeQuery("UPDATE idempotency_key SET response_status = ?1, response_body = ?2 "
                        + "WHERE owner_id = ?3 AND idem_key = ?4 AND claim_token = ?5 AND response_status IS NULL")
                .setParameter(1, answer.status()).setParameter(2, body).setParameter(3, claim.ownerId())
                .setParameter(4, claim.key()).setParameter(5, claim.token())
                .executeUpdate();
    }

    /**
     * Frees a key whose request was refused before it wrote a payment. A key that has its payment is kept: when the
     * commit that wrote it failed only on its way back to us, the payment exists, and a retry must find it.
     */
    private void release(Claim claim) {
        QuarkusTransaction.requiringNew().run(() -> unclaim(claim));
    }

    /** Deletes the claim, in the caller's transaction, unless it has an answer or a payment. */
    private void unclaim(Claim claim) {
        em.createNativeQuery("DELETE FROM idempotency_key WHERE owner_id = ?1 AND idem_key = ?2 AND claim_token = ?3 "
                        + "AND response_status IS NULL AND payment_id IS NULL")
                .setParameter(1, claim.ownerId()).setParameter(2, claim.key()).setParameter(3, claim.token())
                .executeUpdate();
    }

    /** What identifies "the same request": the endpoint and the body as parsed, written back canonically. */
    String fingerprint(String endpoint, Object request) {
        try {
            return Hashes.sha256Hex(endpoint + "\n" + json.writeValueAsString(request));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Request cannot be fingerprinted", e);
        }
    }

    /** 422: the key was first used with another request. */
    public static final class UnprocessableKey extends ApiException {
        UnprocessableKey() {
            super("Keys for idempotent requests can only be used with the same parameters they were first used with.",
                    Map.of());
        }

        @Override
        public int status() {
            return 422;
        }
    }
}
