package org.hotspotbilling.web;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.hotspotbilling.ops.Metrics;
import org.hotspotbilling.testing.Db;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

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
    AgroalDataSource dataSource;

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
        RateLimiter otherInstance = new RateLimiter(config, dataSource, metrics);
        String phone = uniqueKey();
        for (int i = 0; i < phoneCapacity() - 2; i++) {
            limiter.consume(PER_PHONE, phone);
        }
        otherInstance.consume(PER_PHONE, phone);
        otherInstance.consume(PER_PHONE, phone);
        assertThrows(TooManyRequests.class, () -> otherInstance.consume(PER_PHONE, phone));
        assertThrows(TooManyRequests.class, () -> limiter.consume(PER_PHONE, phone));
        assertEquals(1, db.queryLong("SELECT count(*) FROM rate_limit_bucket WHERE id = ?",
                "payment-per-phone:" + phoneCapacity() + "/" + phonePeriod() + ":" + phone));
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
        }, dataSource, metrics);
        String phone = uniqueKey();
        for (int i = 0; i < 10; i++) {
            disabled.consume(PER_PHONE, phone);
        }
        assertEquals(0, db.queryLong("SELECT count(*) FROM rate_limit_bucket WHERE id LIKE ?", "%:" + phone));
        assertThrows(IllegalArgumentException.class, () -> disabled.consume("payment-per-planet", phone));
    }

    @Test
    void expiredRowsAreDeletedAndTheirKeysStartAgainWithAFullBucket() {
        String expired = uniqueKey();
        String live = uniqueKey();
        exhaust(PER_PHONE, expired);
        limiter.consume(PER_PHONE, live);
        // Pretend the bucket refilled long ago rather than waiting 10 minutes for it.
        db.update("UPDATE rate_limit_bucket SET expires_at = 0 WHERE id LIKE ?", "%:" + expired);

        limiter.removeRefilledBuckets();

        assertEquals(0, db.queryLong("SELECT count(*) FROM rate_limit_bucket WHERE id LIKE ?", "%:" + expired));
        assertEquals(1, db.queryLong("SELECT count(*) FROM rate_limit_bucket WHERE id LIKE ?", "%:" + live));
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
