package org.hotspotbilling.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.proxy.BucketNotFoundException;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import io.github.bucket4j.util.concurrent.batch.BatchHelper;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.hotspotbilling.ops.Metrics;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Token buckets shared by every instance of the service, stored in PostgreSQL ({@code rate_limit_bucket}) through
 * Bucket4j. Each configured limit ({@link RateLimitConfig}) has one bucket per key: a public key, a phone number.
 *
 * <p>Each check is one short transaction of its own on its own connection (lock or create the row, update, commit:
 * {@link BucketStore}), so a bucket row is locked only for those statements, never while the caller goes on; a
 * caller's transaction is suspended meanwhile, so the check neither joins it nor keeps the row locked until it
 * ends. Concurrent checks of
 * one bucket in this instance are merged by Bucket4j's batching into one such transaction: a hot key costs one row
 * update per database round trip, not one per request, and no token is handed out that the stored bucket does not
 * hold. Refill is computed with the checking instance's clock, so instances must keep their clocks in sync: a skew
 * of {@code d} can hand out at most {@code d × capacity / period} tokens early.
 *
 * <p>Blocking: call it from a worker thread, as resource methods and services are.
 */
@Startup
@ApplicationScoped
public class RateLimiter {

    /** Limit names become part of bucket ids and of environment variable names: lower-case words and dashes. */
    private static final Pattern LIMIT_NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    /** How long a row is kept once its bucket is full again, so keys that come back soon reuse it. */
    private static final Duration KEEP_WHEN_FULL = Duration.ofMinutes(1);

    private static final int CLEANUP_BATCH = 1_000;

    private final boolean enabled;
    private final Map<String, Limit> limits = new TreeMap<>();
    private final BucketStore store;
    /** Bucket4j's stock store, for its clean-up of expired rows only. */
    private final PostgreSQLSelectForUpdateBasedProxyManager<String> expiredRows;

    /**
     * Batching only merges checks that go through the same proxy object, so the proxies of recently used buckets
     * are kept. A proxy holds no tokens (the bucket lives in the table), so evicting one loses nothing.
     */
    private final Cache<String, BucketProxy> proxies = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterAccess(Duration.ofMinutes(1))
            .build();

    public RateLimiter(RateLimitConfig config, AgroalDataSource dataSource, Metrics metrics) {
        this.enabled = config.enabled();
        MeterRegistry registry = metrics.registry();
        config.limits().forEach((name, limit) -> {
            if (!LIMIT_NAME.matcher(name).matches()) {
                throw new IllegalStateException("Rate limit name '" + name + "' must be lower-case words joined by "
                        + "dashes (hotspot.rate-limit.limits." + name + ")");
            }
            // Limit names are configuration, so the label's values are a small fixed set.
            this.limits.put(name, new Limit(name, limit.capacity(), limit.period(), Counter
                    .builder("hotspot.rate.limit.refusals").tag("limit", name)
                    .description("Requests refused with 429 by a rate limit").register(registry)));
        });
        // Select-for-update locks exactly the bucket's row. The advisory-lock flavour would lock a 64-bit number
        // derived from the String key's hash, in a namespace shared with everything else (Flyway's own lock
        // included), and costs one more statement per check.
        ExpirationAfterWriteStrategy expiration =
                ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_WHEN_FULL);
        this.store = new BucketStore(dataSource, expiration,
                bucketId -> limits.get(bucketId.substring(0, bucketId.indexOf(':'))).configuration());
        this.expiredRows = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("rate_limit_bucket")
                .expirationAfterWrite(expiration)
                .build();
    }

    /** Takes one token from the bucket (limitName, key); throws TooManyRequests when it is empty. */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public void consume(String limitName, String key) {
        Limit limit = limits.get(limitName);
        if (limit == null) {
            throw new IllegalArgumentException("Unknown rate limit '" + limitName + "'; configured: "
                    + limits.keySet());
        }
        Objects.requireNonNull(key, "key");
        if (!enabled) {
            return;
        }
        BucketProxy bucket = proxies.get(limit.bucketId(key), id -> store.builder()
                .withOptimization(Optimizations.batching())
                .build(id, limit.configuration()));
        ConsumptionProbe probe;
        try {
            probe = bucket.tryConsumeAndReturnRemaining(1);
        } catch (BucketNotFoundException | BatchHelper.BatchFailedException e) {
            // Concurrent first uses of a new bucket race its row's creation (seen under load): the row exists
            // now, so one more try settles it.
            probe = bucket.tryConsumeAndReturnRemaining(1);
        }
        if (!probe.isConsumed()) {
            limit.refusals().increment();
            throw new TooManyRequests(Duration.ofNanos(probe.getNanosToWaitForRefill()));
        }
    }

    /** Deletes the rows of buckets that have been full for a while: a missing row is the same as a full bucket. */
    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void removeRefilledBuckets() {
        int removed;
        do {
            removed = expiredRows.removeExpired(CLEANUP_BATCH);
        } while (removed == CLEANUP_BATCH);
    }

    private record Limit(String name, long capacity, Duration period, BucketConfiguration configuration,
            Counter refusals) {

        Limit(String name, long capacity, Duration period, Counter refusals) {
            // Built at start so that a bad capacity or period stops the service instead of the first payment.
            this(name, capacity, period, BucketConfiguration.builder()
                    .addLimit(bandwidth -> bandwidth.capacity(capacity).refillGreedy(capacity, period))
                    .build(), refusals);
        }

        /**
         * The stored bucket keeps the shape it was created with, so the shape is part of the id: after a limit is
         * changed, every key starts a fresh bucket of the new shape instead of keeping the old one while it is busy.
         */
        String bucketId(String key) {
            return name + ":" + capacity + "/" + period + ":" + key;
        }
    }
}
