package org.hotspotbilling.web;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped application.properties with environment variables on top, as in production: the variable names the
 * README documents really reach the named limits (map keys with dashes are easy to get wrong from the environment).
 */
class RateLimitConfigTest {

    @Test
    void shippedDefaultsAreThePaymentLimits() throws IOException {
        RateLimitConfig config = load(Map.of());
        assertTrue(config.enabled());
        assertEquals(Set.of("payment-per-public-key", "payment-per-phone", "daraja-query-per-credential"),
                config.limits().keySet());
        assertEquals(5, config.limits().get("daraja-query-per-credential").capacity());
        assertEquals(Duration.ofSeconds(1), config.limits().get("daraja-query-per-credential").period());
        assertEquals(120, config.limits().get("payment-per-public-key").capacity());
        assertEquals(Duration.ofMinutes(1), config.limits().get("payment-per-public-key").period());
        assertEquals(5, config.limits().get("payment-per-phone").capacity());
        assertEquals(Duration.ofMinutes(10), config.limits().get("payment-per-phone").period());
    }

    @Test
    void environmentVariablesOverrideTheNamedLimits() throws IOException {
        RateLimitConfig config = load(Map.of(
                "HOTSPOT_RATE_LIMIT_ENABLED", "false",
                "HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_PHONE_CAPACITY", "10",
                "HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_PHONE_PERIOD", "30m",
                "HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_PUBLIC_KEY_CAPACITY", "600"));
        assertFalse(config.enabled());
        assertEquals(Set.of("payment-per-public-key", "payment-per-phone", "daraja-query-per-credential"),
                config.limits().keySet());
        assertEquals(10, config.limits().get("payment-per-phone").capacity());
        assertEquals(Duration.ofMinutes(30), config.limits().get("payment-per-phone").period());
        assertEquals(600, config.limits().get("payment-per-public-key").capacity());
        assertEquals(Duration.ofMinutes(1), config.limits().get("payment-per-public-key").period());
    }

    private static RateLimitConfig load(Map<String, String> environment) throws IOException {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(
                        RateLimitConfigTest.class.getClassLoader().getResource("application.properties"), 250))
                .withSources(new EnvConfigSource(environment, 300))
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(RateLimitConfig.class)
                .build();
        return config.getConfigMapping(RateLimitConfig.class);
    }
}
