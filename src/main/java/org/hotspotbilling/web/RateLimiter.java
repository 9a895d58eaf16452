package org.hotspotbilling.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.narayana.jta.TransactionExceptionResult;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.hotspotbilling.ops.Metrics;
import org.hotspotbilling.work.BatchedDelete;
import org.hotspotbilling.work.DirectSql;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Token buckets shared by every instance of the service, stored in PostgreSQL ({@code rate_limit_shard}, whose
 * migration V200 explains the arithmetic). Each configured limit ({@link RateLimitConfig}) has one bucket per key: a
 * public key, a phone number, an address.
 *
 * <p>Two ways to take tokens, both one database round trip however many buckets:
 * <ul>
 * <li>{@link #consume(Token...)}: in a short transaction of its own (the caller's is suspended), committed before it
 * answers, refusal or not: a token taken stays taken whatever the caller does next (logins, provider queries).</li>
 * <li>{@link #consumeInTransaction}: in the caller's transaction, which keeps the rows it took from locked until it
 * ends, and whose rollback gives the tokens back. A purchase takes its tokens in the transaction that writes its
 * payment, so checking them costs no commit of its own. Hot buckets (an owner's, an address's) are split into
 * {@link RateLimitConfig.Limit#shards() shards} so that concurrent purchases lock different rows.</li>
 * </ul>
 * Refill is computed with the database's clock, the same for every instance.
 *
 * <p>Blocking: call it from a worker thread, as resource methods and services are.
 */
@Startup
@ApplicationScoped
public class RateLimiter {

    /** Limit names become part of bucket ids and of environment variable names: lower-case words and dashes. */
    private static final Pattern LIMIT_NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    /** More shards than this would only make a refusal look at more rows. */
    static final int MAX_SHARDS = 64;

    /** How long a row is kept once its shard is full again, so keys that come back soon reuse it. */
    private static final Duration KEEP_WHEN_FULL = Duration.ofMinutes(1);

    private final boolean enabled;
    private final Map<String, Limit> limits = new TreeMap<>();
    private final EntityManager em;

    /** One token of the limit named {@code limit} for {@code key}. */
    public record Token(String limit, String key) {
    }

    public RateLimiter(RateLimitConfig config, EntityManager em, Metrics metrics) {
        this.enabled = config.enabled();
        this.em = em;
        MeterRegistry registry = metrics.registry();
        config.limits().forEach((name, limit) -> {
            if (!LIMIT_NAME.matcher(name).matches()) {
                throw new IllegalStateException("Rate limit name '" + name + "' must be lower-case words joined by "
                        + "dashes (hotspot.rate-limit.limits." + name + ")");
            }
            // Checked at start so that a bad limit stops the service instead of the first payment.
            if (limit.capacity() < 1 || limit.period().isNegative() || limit.period().isZero()) {
                throw new IllegalStateException("Rate limit '" + name + "' needs a capacity of at least 1 and a "
                        + "positive period");
            }
            if (limit.shards() < 1 || limit.shards() > Math.min(limit.capacity(), MAX_SHARDS)) {
                throw new IllegalStateException("Rate limit '" + name + "' has " + limit.shards() + " shards: use 1 "
                        + "to " + Math.min(limit.capacity(), MAX_SHARDS) + " (at most its capacity, at most "
                        + MAX_SHARDS + ")");
            }
            // Limit names are configuration, so the label's values are a small fixed set.
            this.limits.put(name, new Limit(name, limit.capacity(), limit.period(), limit.shards(), Counter
                    .builder("hotspot.rate.limit.refusals").tag("limit", name)
                    .description("Requests refused with 429 by a rate limit").register(registry)));
        });
    }

    /** Takes one token from the bucket (limitName, key) in a transaction of its own; throws TooManyRequests. */
    public void consume(String limitName, String key) {
        consume(new Token(limitName, key));
    }

    /**
     * Takes one token of each bucket, in order, in a transaction of its own that commits even on a refusal: the
     * tokens taken before the refused one stay taken. Throws TooManyRequests for the first bucket without a token.
     */
    public void consume(Token... tokens) {
        List<Limited> checks = checks(List.of(tokens));
        if (checks.isEmpty()) {
            return;
        }
        Refusal refusal = QuarkusTransaction.requiringNew().call(() -> take(checks));
        refuse(refusal);
    }

    /**
     * Takes one token of each bucket, in order, in the caller's transaction: the rows stay locked until it ends, and
     * a rollback gives the tokens back. Throws TooManyRequests for the first bucket without a token; the tokens
     * taken before it are the caller's to commit (keeping them, as {@link #consume(Token...)} does) or roll back.
     */
    @Transactional(value = Transactional.TxType.MANDATORY, dontRollbackOn = TooManyRequests.class)
    public void consumeInTransaction(List<Token> tokens) {
        List<Limited> checks = checks(tokens);
        if (!checks.isEmpty()) {
            refuse(take(checks));
        }
    }

    /**
     * For {@code QuarkusTransaction}'s exception handler of a transaction that takes tokens with
     * {@link #consumeInTransaction}: a refusal commits the tokens taken before it (as {@link #consume(Token...)}
     * does), any other failure rolls back.
     */
    public static TransactionExceptionResult keepTokensOnRefusal(Throwable failure) {
        return failure instanceof TooManyRequests ? TransactionExceptionResult.COMMIT
                : TransactionExceptionResult.ROLLBACK;
    }

    /** The known limits' checks, in order; none when limits are off. Unknown names are a programming error. */
    private List<Limited> checks(List<Token> tokens) {
        List<Limited> checks = tokens.stream().map(token -> {
            Limit limit = limits.get(token.limit());
            if (limit == null) {
                throw new IllegalArgumentException("Unknown rate limit '" + token.limit() + "'; configured: "
                        + limits.keySet());
            }
            return new Limited(limit, limit.bucketId(Objects.requireNonNull(token.key(), "key")));
        }).toList();
        return enabled ? checks : List.of();
    }

    private record Limited(Limit limit, String bucketId) {
    }

    private record Refusal(Limit limit, long waitMicros) {
    }

    /** One call of {@code rate_limit_take} in the current transaction; null when every token was taken. */
    private Refusal take(List<Limited> checks) {
        int n = checks.size();
        Object[] buckets = new Object[n];
        Object[] shards = new Object[n];
        Object[] capacities = new Object[n];
        Object[] periods = new Object[n];
        for (int i = 0; i < n; i++) {
            Limit limit = checks.get(i).limit();
            buckets[i] = checks.get(i).bucketId();
            shards[i] = limit.shards();
            capacities[i] = limit.capacity();
            periods[i] = limit.period().toNanos() / 1_000;
        }
        return DirectSql.query(em, "SELECT refused, wait_us FROM rate_limit_take(?, ?, ?, ?)", (take, connection) -> {
            take.setArray(1, connection.createArrayOf("text", buckets));
            take.setArray(2, connection.createArrayOf("int4", shards));
            take.setArray(3, connection.createArrayOf("int8", capacities));
            take.setArray(4, connection.createArrayOf("int8", periods));
        }, (row, present) -> {
            int refused = row.getInt(1);
            return refused == 0 ? null : new Refusal(checks.get(refused - 1).limit(), row.getLong(2));
        });
    }

    private static void refuse(Refusal refusal) {
        if (refusal != null) {
            refusal.limit().refusals().increment();
            throw new TooManyRequests(Duration.ofNanos(refusal.waitMicros() * 1_000));
        }
    }

    /**
     * Deletes the buckets whose every shard has been full for a while: a missing row is the same as a full shard.
     * Whole buckets only, so that a busy bucket keeps all its rows (re-creating a missing one makes concurrent
     * takers wait for the transaction that creates it).
     */
    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void removeRefilledBuckets() {
        BatchedDelete.before(em, "DELETE FROM rate_limit_shard WHERE bucket = ANY (ARRAY(SELECT bucket FROM "
                + "rate_limit_shard GROUP BY bucket HAVING max(full_at) < ?1 LIMIT ?2))",
                Instant.now().minus(KEEP_WHEN_FULL));
    }

    private record Limit(String name, long capacity, Duration period, int shards, Counter refusals) {

        /**
         * The stored bucket keeps the shape it was created with, so the shape is part of the id: after a limit is
         * changed, every key starts a fresh bucket of the new shape instead of keeping the old one while it is busy.
         */
        String bucketId(String key) {
            return name + ":" + capacity + "/" + period + "/" + shards + ":" + key;
        }
    }
}
