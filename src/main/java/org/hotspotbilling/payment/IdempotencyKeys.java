package org.hotspotbilling.payment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import org.hotspotbilling.crypto.Hashes;
import org.hotspotbilling.payment.PaymentDtos.PortalAnswer;
import org.hotspotbilling.web.ApiException;
import org.hotspotbilling.web.Conflict;
import org.hotspotbilling.web.ErrorBody;
import org.hotspotbilling.web.Invalid;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code Idempotency-Key} for the purchase endpoints, Stripe's way: the first request with a key claims it in
 * PostgreSQL (unique per owner and key), runs, and stores its answer; the same key with the same body gets that
 * answer again, with another body a 422, and while the first is still running a 409. A request refused during
 * validation stores nothing, so correcting and retrying with the same key is safe. Keys are kept for
 * {@link PaymentConfig#idempotencyRetention()}.
 */
@ApplicationScoped
public class IdempotencyKeys {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");

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
    }

    /** An answer and whether it is a replay of the key's first answer. */
    public record Outcome(PortalAnswer answer, boolean replayed) {
    }

    public <T> Outcome run(long ownerId, String key, String endpoint, Object request, Supplier<T> validate,
            Function<T, PortalAnswer> execute) {
        if (key == null) {
            return new Outcome(execute.apply(validate.get()), false);
        }
        if (!KEY.matcher(key).matches()) {
            throw new Invalid(HEADER + " must be 1 to 255 visible ASCII characters");
        }
        String fingerprint = Hashes.sha256Hex(endpoint + "\n" + canonical(request));
        if (!claim(ownerId, key, endpoint, fingerprint)) {
            return new Outcome(replay(ownerId, key, endpoint, fingerprint), true);
        }
        T validated;
        try {
            validated = validate.get();
        } catch (RuntimeException e) {
            release(ownerId, key);
            throw e;
        }
        PortalAnswer answer;
        try {
            answer = execute.apply(validated);
        } catch (ApiException e) {
            store(ownerId, key, new PortalAnswer(e.status(), ErrorBody.of(e.getMessage())));
            throw e;
        } catch (RuntimeException e) {
            store(ownerId, key, new PortalAnswer(500, ErrorBody.of("Internal server error")));
            throw e;
        }
        store(ownerId, key, answer);
        return new Outcome(answer, false);
    }

    /** Deletes keys past their retention. */
    @Scheduled(every = "1h", delayed = "1m")
    void prune() {
        Instant cutoff = Instant.now().minus(config.idempotencyRetention());
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "DELETE FROM idempotency_key WHERE created_at < ?1").setParameter(1, cutoff).executeUpdate());
    }

    private boolean claim(long ownerId, String key, String endpoint, String fingerprint) {
        Instant now = Instant.now();
        Instant cutoff = now.minus(config.idempotencyRetention());
        return QuarkusTransaction.requiringNew().call(() -> {
            // A key older than the retention is forgotten: it starts afresh, as if never used.
            em.createNativeQuery("DELETE FROM idempotency_key WHERE owner_id = ?1 AND idem_key = ?2 AND created_at < ?3")
                    .setParameter(1, ownerId).setParameter(2, key).setParameter(3, cutoff).executeUpdate();
            return em.createNativeQuery("INSERT INTO idempotency_key (owner_id, idem_key, endpoint, request_sha256, "
                            + "created_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (owner_id, idem_key) DO NOTHING")
                    .setParameter(1, ownerId).setParameter(2, key).setParameter(3, endpoint)
                    .setParameter(4, fingerprint).setParameter(5, now)
                    .executeUpdate() == 1;
        });
    }

    @SuppressWarnings("unchecked")
    private PortalAnswer replay(long ownerId, String key, String endpoint, String fingerprint) {
        List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "SELECT endpoint, request_sha256, response_status, response_body FROM idempotency_key "
                                + "WHERE owner_id = ?1 AND idem_key = ?2")
                .setParameter(1, ownerId).setParameter(2, key).getResultList());
        if (rows.isEmpty()) {
            // The first request was refused during validation and released the key in the meantime.
            throw new Conflict("A request with this " + HEADER + " was just refused; send it again");
        }
        Object[] row = rows.get(0);
        if (!endpoint.equals(row[0]) || !fingerprint.equals(row[1])) {
            throw new UnprocessableKey();
        }
        if (row[2] == null) {
            throw new Conflict("A request with this " + HEADER + " is still in progress; retry later");
        }
        try {
            return new PortalAnswer(((Number) row[2]).intValue(), json.readTree((String) row[3]));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored answer of an idempotency key is not JSON", e);
        }
    }

    private void store(long ownerId, String key, PortalAnswer answer) {
        String body;
        try {
            body = json.writeValueAsString(answer.body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Answer cannot be stored as JSON", e);
        }
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "UPDATE idempotency_key SET response_status = ?1, response_body = ?2 "
                                + "WHERE owner_id = ?3 AND idem_key = ?4")
                .setParameter(1, answer.status()).setParameter(2, body).setParameter(3, ownerId).setParameter(4, key)
                .executeUpdate());
    }

    private void release(long ownerId, String key) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "DELETE FROM idempotency_key WHERE owner_id = ?1 AND idem_key = ?2 AND response_status IS NULL")
                .setParameter(1, ownerId).setParameter(2, key).executeUpdate());
    }

    private String canonical(Object request) {
        try {
            return json.writeValueAsString(request);
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
