package org.hotspotbilling.web;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.hotspotbilling.ops.Metrics;
import org.hotspotbilling.testing.Db;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Limits hold per (limit, key), across instances, and outside callers' transactions, because the buckets live in
 * PostgreSQL. The payment limits refill slowly (per phone: minutes per token), so "empty" stays empty for the
 * length of a test; the tiny test limit (2 per 2 s) shows tokens coming back.
 */
@QuarkusTest
class RateLimiterTest {

    private static final String PER_PHONE = "payment-per-phone";
    private static final String PER_PUBLIC_KEY = "payment-per-public-key";
    private static final String TINY = "test-tiny";

    @Inject
    RateLimiter limiter;

    @Inject
    RateLimitConfig config;

    @Inject
    EntityManager em;

    @Inject
    Db db;

    @Inject
    Metrics metrics;

    @Test
    void capacityIsEnforcedAndTheRefusalSaysWhenToRetry() {
        String phone = uniqueKey();
        for (int i = 0; i < phoneCapacity(); i++) {
            limiter.consume(PER_PHONE, phone);
        }
        TooManyRequests refused = assertThrows(TooManyRequests.class, () -> limiter.consume(PER_PHONE, phone));
        assertEquals(429, refused.status());
        assertTrue(refused.retryAfterSeconds() >= 1, "retry after " + refused.retryAfterSeconds());
        long refillSeconds = (phonePeriod().toSeconds() + phoneCapacity() - 1) / phoneCapacity();
        assertTrue(refused.retryAfterSeconds() <= refillSeconds, "one token comes back every " + refillSeconds
                + " s, not " + refused.retryAfterSeconds() + " s");
    }

    @Test
    void bucketsAreIndependentPerKeyAndPerLimit() {
        String key = uniqueKey();
        exhaust(PER_PHONE, key);
        assertDoesNotThrow(() -> limiter.consume(PER_PHONE, uniqueKey()), "another key of the same limit");
        assertDoesNotThrow(() -> limiter.consume(PER_PUBLIC_KEY, key), "the same key under another limit");
    }

    @Test
    void tokensComeBackAfterThePeriod() throws InterruptedException {
        String key = uniqueKey();
        exhaust(TINY, key);
        boolean admittedAgain = false;
        // One token returns every second; poll for up to ten times that, without betting on the exact moment.
        for (int attempt = 0; attempt < 100 && !admittedAgain; attempt++) {
            Thread.sleep(100);
            admittedAgain = admits(TINY, key);
        }
        assertTrue(admittedAgain, "no token came back within 10 s");
    }

    @Test
    void anotherInstanceOnTheSameDatabaseSharesTheBucket() {
        RateLimiter otherInstance = new RateLimiter(config, em, metrics);
        String phone = uniqueKey();
        for (int i = 0; i < phoneCapacity() - 2; i++) {
            limiter.consume(PER_PHONE, phone);
        }
        otherInstance.consume(PER_PHONE, phone);
        otherInstance.consume(PER_PHONE, phone);
        assertThrows(TooManyRequests.class, () -> otherInstance.consume(PER_PHONE, phone));
        assertThrows(TooManyRequests.class, () -> limiter.consume(PER_PHONE, phone));
        assertEquals(1, db.queryLong("SELECT count(*) FROM rate_limit_shard WHERE bucket = ?",
                "payment-per-phone:" + phoneCapacity() + "/" + phonePeriod() + "/1:" + phone));
    }

    @Test
    void aTokenStaysTakenWhenTheCallersTransactionRollsBack() {
        String phone = uniqueKey();
        assertThrows(IllegalStateException.class, () -> QuarkusTransaction.requiringNew().run(() -> {
            for (int i = 0; i < phoneCapacity(); i++) {
                limiter.consume(PER_PHONE, phone);
            }
            throw new IllegalStateException("the payment failed after the check");
        }));
        assertThrows(TooManyRequests.class, () -> limiter.consume(PER_PHONE, phone));
    }

    @Test
    void aBurstOnABrandNewBucketAdmitsExactlyItsCapacityAndRefusesOnlyWith429() throws Exception {
        String key = uniqueKey();
        long capacity = config.limits().get(PER_PUBLIC_KEY).capacity();
        int callers = (int) capacity * 2;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(callers);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        try {
            java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int i = 0; i < callers; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    try {
                        limiter.consume(PER_PUBLIC_KEY, key);
                        return true;
                    } catch (TooManyRequests refused) {
                        return false;
                    }
                }));
            }
            start.countDown();
            long admitted = 0;
            for (java.util.concurrent.Future<Boolean> result : results) {
                admitted += result.get() ? 1 : 0; // any other exception fails the test here
            }
            assertEquals(capacity, admitted);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void tokensTakenInTheCallersTransactionComeBackWhenItRollsBack() {
        String phone = uniqueKey();
        assertThrows(IllegalStateException.class, () -> QuarkusTransaction.requiringNew().run(() -> {
            for (int i = 0; i < phoneCapacity(); i++) {
                limiter.consumeInTransaction(List.of(new RateLimiter.Token(PER_PHONE, phone)));
            }
            assertThrows(TooManyRequests.class,
                    () -> limiter.consumeInTransaction(List.of(new RateLimiter.Token(PER_PHONE, phone))));
            throw new IllegalStateException("the payment was not written");
        }));
        QuarkusTransaction.requiringNew().run(() -> limiter.consumeInTransaction(List.of(
                new RateLimiter.Token(PER_PHONE, phone))));
        for (int i = 1; i < phoneCapacity(); i++) {
            limiter.consume(PER_PHONE, phone);
        }
        assertThrows(TooManyRequests.class, () -> limiter.consume(PER_PHONE, phone));
    }

    @Test
    void severalBucketsAreOneCallInOrderAndStopAtTheFirstRefusal() {
        String full = uniqueKey();
        String empty = uniqueKey();
        String after = uniqueKey();
        exhaust(PER_PHONE, empty);
        assertThrows(TooManyRequests.class, () -> limiter.consume(new RateLimiter.Token(PER_PHONE, full),
                new RateLimiter.Token(PER_PHONE, empty), new RateLimiter.Token(PER_PHONE, after)));
        // The token before the refusal stays taken (its own transaction commits); the one after was never taken.
        assertEquals(1, db.queryLong("SELECT count(*) FROM rate_limit_shard WHERE bucket LIKE ?", "%:" + full));
        assertEquals(0, db.queryLong("SELECT count(*) FROM rate_limit_shard WHERE bucket LIKE ?", "%:" + after));
    }

    /**
     * The promise of shards: a purchase holding its token's row until its payment commits does not make the next
     * purchase of the same owner wait. With one row per bucket (the phone's limit) the second one would wait; the
     * lock timeout turns that wait into an error, so the test fails instead of hanging.
     */
    @Test
    void aShardedBucketHeldByOneTransactionServesAnotherWithoutWaiting() throws Exception {
        String owner = uniqueKey();
        String phone = uniqueKey();
        assertEquals(8, config.limits().get(PER_PUBLIC_KEY).shards(), "the owner's limit is sharded");
        // A bucket's rows are created by its first use; concurrent first uses wait for that one's commit, once.
        limiter.consume(PER_PUBLIC_KEY, owner);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> first = pool.submit(() -> QuarkusTransaction.requiringNew().run(() -> {
                limiter.consumeInTransaction(List.of(new RateLimiter.Token(PER_PUBLIC_KEY, owner),
                        new RateLimiter.Token(PER_PHONE, phone)));
                holding.countDown();
                await(done);
            }));
            assertTrue(holding.await(30, TimeUnit.SECONDS));
            assertDoesNotThrow(() -> QuarkusTransaction.requiringNew().run(() -> {
                lockTimeout();
                limiter.consumeInTransaction(List.of(new RateLimiter.Token(PER_PUBLIC_KEY, owner)));
            }), "a second shard was free");
            Exception waited = assertThrows(Exception.class, () -> QuarkusTransaction.requiringNew().run(() -> {
                lockTimeout();
                limiter.consumeInTransaction(List.of(new RateLimiter.Token(PER_PHONE, phone)));
            }));
            assertTrue(String.valueOf(rootCause(waited).getMessage()).contains("lock timeout"), waited.toString());
            done.countDown();
            first.get(30, TimeUnit.SECONDS);
        } finally {
            done.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aBurstOfTransactionsOnAShardedBucketAdmitsExactlyItsCapacity() throws Exception {
        String key = uniqueKey();
        long capacity = config.limits().get(PER_PUBLIC_KEY).capacity();
        int callers = (int) capacity * 2;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    try {
                        QuarkusTransaction.requiringNew().run(() -> {
                            limiter.consumeInTransaction(List.of(new RateLimiter.Token(PER_PUBLIC_KEY, key)));
                            // A payment's insert keeps the row locked a little while: others must go around it.
                            em.createNativeQuery("SELECT 1 FROM pg_sleep(0.005)").getSingleResult();
                        });
                        return true;
                    } catch (TooManyRequests refused) {
                        return false;
                    }
                }));
            }
            start.countDown();
            long admitted = 0;
            for (Future<Boolean> result : results) {
                admitted += result.get() ? 1 : 0; // any other exception fails the test here
            }
            assertEquals(capacity, admitted);
            assertEquals(8, db.queryLong("SELECT count(*) FROM rate_limit_shard WHERE bucket LIKE ?", "%:" + key));
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A purchase waiting for a shard that ends up in a deadlock with another transaction is not the one that fails:
     * only its wait is rolled back and tried again (V202). Here the waiter holds shard 1 (as a shard it passed over
     * stays locked) and waits for shard 0, the only one with a token; the other holds shard 0 and then asks for
     * shard 1. The waiter's deadlock timer runs out first, so PostgreSQL picks it; it waits again, and the other's
     * timer then picks the other.
     */
    @Test
    void aWaitThatDeadlocksIsTriedAgainInsteadOfFailingThePurchase() throws Exception {
        String key = uniqueKey();
        limiter.consume(PER_PUBLIC_KEY, key);
        String bucket = "%:" + key;
        db.update("UPDATE rate_limit_shard SET full_at = now() + interval '1 hour' WHERE bucket LIKE ? AND shard > 0",
                bucket);
        db.update("UPDATE rate_limit_shard SET full_at = now() - interval '1 hour' WHERE bucket LIKE ? AND shard = 0",
                bucket);
        CountDownLatch otherHoldsShard0 = new CountDownLatch(1);
        CountDownLatch waiterHoldsShard1 = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> other = pool.submit(() -> QuarkusTransaction.requiringNew().run(() -> {
                lockShard(bucket, 0);
                otherHoldsShard0.countDown();
                await(waiterHoldsShard1);
                em.createNativeQuery("SELECT 1 FROM pg_sleep(0.3)").getSingleResult(); // the waiter waits first
                lockShard(bucket, 1);
            }));
            Future<?> waiter = pool.submit(() -> QuarkusTransaction.requiringNew().run(() -> {
                await(otherHoldsShard0);
                lockShard(bucket, 1);
                waiterHoldsShard1.countDown();
                limiter.consumeInTransaction(List.of(new RateLimiter.Token(PER_PUBLIC_KEY, key)));
            }));
            assertDoesNotThrow(() -> waiter.get(30, TimeUnit.SECONDS), "the waiter took shard 0's token");
            ExecutionException deadlocked = assertThrows(ExecutionException.class,
                    () -> other.get(30, TimeUnit.SECONDS));
            assertTrue(String.valueOf(rootCause(deadlocked).getMessage()).contains("deadlock detected"),
                    deadlocked.toString());
        } finally {
            pool.shutdownNow();
        }
    }

    private void lockShard(String bucket, int shard) {
        em.createNativeQuery("SELECT shard FROM rate_limit_shard WHERE bucket LIKE ?1 AND shard = ?2 FOR UPDATE")
                .setParameter(1, bucket).setParameter(2, shard).getResultList();
    }

    @Test
    void aLimitWithMoreShardsThanTokensStopsTheStart() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> new RateLimiter(new RateLimitConfig() {
                    public boolean enabled() {
                        return true;
                    }

                    public Map<String, Limit> limits() {
                        return Map.of("too-many-shards", new Limit() {
                            public long capacity() {
                                return 3;
                            }

                            public java.time.Duration period() {
                                return java.time.Duration.ofMinutes(1);
                            }

                            public int shards() {
                                return 4;
                            }
                        });
                    }
                }, em, metrics));
        assertTrue(refused.getMessage().contains("too-many-shards"), refused.getMessage());
    }

    private void lockTimeout() {
        em.createNativeQuery("SET LOCAL lock_timeout = '2s'").executeUpdate();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Throwable rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Test
    void unknownLimitNameIsAProgrammingError() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> limiter.consume("payment-per-planet", uniqueKey()));
        assertTrue(error.getMessage().contains("payment-per-planet"), error.getMessage());
    }

    @Test
    void disabledLimiterLetsEverythingThroughButStillRefusesUnknownNames() {
        RateLimiter disabled = new RateLimiter(new RateLimitConfig() {
            public boolean enabled() {
                return false;
            }

            public Map<String, Limit> limits() {
                return config.limits();
            }
        }, em, metrics);
        String phone = uniqueKey();
        for (int i = 0; i < 10; i++) {
            disabled.consume(PER_PHONE, phone);
        }
        assertEquals(0, db.queryLong("SELECT count(*) FROM rate_limit_shard WHERE bucket LIKE ?", "%:" + phone));
        assertThrows(IllegalArgumentException.class, () -> disabled.consume("payment-per-planet", phone));
    }

    @Test
    void expiredRowsAreDeletedAndTheirKeysStartAgainWithAFullBucket() {
        String expired = uniqueKey();
        String live = uniqueKey();
        exhaust(PER_PHONE, expired);
        limiter.consume(PER_PHONE, live);
        // Pretend the bucket refilled long ago rather than waiting 10 minutes for it.
        db.update("UPDATE rate_limit_shard SET full_at = now() - interval '1 hour' WHERE bucket LIKE ?",
                "%:" + expired);

        limiter.removeRefilledBuckets();

        assertEquals(0, db.queryLong("SELECT count(*) FROM rate_limit_shard WHERE bucket LIKE ?", "%:" + expired));
        assertEquals(1, db.queryLong("SELECT count(*) FROM rate_limit_shard WHERE bucket LIKE ?", "%:" + live));
        for (int i = 0; i < phoneCapacity(); i++) {
            limiter.consume(PER_PHONE, expired);
        }
        assertThrows(TooManyRequests.class, () -> limiter.consume(PER_PHONE, expired));
    }

    @Test
    void refusalIsA429WithRetryAfterAndJsonError() {
        String path = "/test-probe/rate-limit/" + PER_PHONE + "/" + uniqueKey();
        for (int i = 0; i < phoneCapacity(); i++) {
            given().post(path).then().statusCode(200).body("consumed", equalTo(true));
        }
        String retryAfter = given().post(path).then().statusCode(429).contentType(ContentType.JSON)
                .body("error", startsWith("Too many requests. Try again in "))
                .extract().header("Retry-After");
        assertTrue(Long.parseLong(retryAfter) >= 1, retryAfter);
    }

    /** The configured per-phone limit (the test profile may differ from production's 5 per 10 min). */
    private long phoneCapacity() {
        return config.limits().get(PER_PHONE).capacity();
    }

    private java.time.Duration phonePeriod() {
        return config.limits().get(PER_PHONE).period();
    }

    private void exhaust(String limit, String key) {
        while (admits(limit, key)) {
            // keep taking tokens until the bucket refuses
        }
    }

    private boolean admits(String limit, String key) {
        try {
            limiter.consume(limit, key);
            return true;
        } catch (TooManyRequests refused) {
            return false;
        }
    }

    private static String uniqueKey() {
        return UUID.randomUUID().toString();
    }
}
