package org.hotspotbilling.web;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;

/**
 * Named token-bucket limits, enforced by {@link RateLimiter} across every instance. The defaults of the named
 * limits live in {@code application.properties}: a map entry needs its name declared somewhere, and declaring it
 * there is also what lets an environment variable such as {@code HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_PHONE_CAPACITY}
 * override it.
 */
@ConfigMapping(prefix = "hotspot.rate-limit")
public interface RateLimitConfig {

    /** Switches every limit off (load tests, emergencies); {@link RateLimiter#consume} then lets everything through. */
    @WithDefault("true")
    boolean enabled();

    /** The limits by name (lower-case words joined by dashes, e.g. {@code payment-per-phone}). */
    Map<String, Limit> limits();

    interface Limit {
        /** Requests a key may make at once (the bucket's size). */
        long capacity();

        /** Time in which an empty bucket refills completely; tokens come back evenly over it. */
        Duration period();

        /**
         * Rows the bucket is split into (1 to min(capacity, 64)), each holding its share of the capacity: a hot
         * bucket whose tokens are taken inside longer transactions (a purchase's) needs several, so that concurrent
         * ones do not queue on one locked row. A refusal comes when no shard holds a whole token, so a bucket of n
         * shards may refuse while up to n fractions of a token are spread over them.
         */
        @WithDefault("1")
        int shards();
    }
}
