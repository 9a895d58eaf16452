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

    private static final Set<String> SHIPPED = Set.of("payment-per-public-key", "payment-per-phone", "payment-per-mac",
            "payment-per-ip", "login-per-ip", "login-per-username", "api-key-login-per-key", "daraja-query-per-credential");

    @Test
    void shippedDefaultsAreThePaymentAndLoginLimits() throws IOException {
        RateLimitConfig config = load(Map.of());
        assertTrue(config.enabled());
        assertEquals(SHIPPED, config.limits().keySet());
        assertEquals(5, config.limits().get("daraja-query-per-credential").capacity());
        assertEquals(Duration.ofSeconds(1), config.limits().get("daraja-query-per-credential").period());
        assertEquals(120, config.limits().get("payment-per-public-key").capacity());
        assertEquals(Duration.ofMinutes(1), config.limits().get("payment-per-public-key").period());
        assertEquals(5, config.limits().get("payment-per-phone").capacity());
        assertEquals(Duration.ofMinutes(10), config.limits().get("payment-per-phone").period());
        // A whole busy hotspot (several, behind carrier NAT) shares one address: docs/payments-rules.md.
        assertEquals(300, config.limits().get("payment-per-ip").capacity());
        assertEquals(Duration.ofMinutes(1), config.limits().get("payment-per-ip").period());
        assertEquals(10, config.limits().get("login-per-username").capacity());
        assertEquals(Duration.ofMinutes(15), config.limits().get("login-per-username").period());
    }

    @Test
    void environmentVariablesOverrideTheNamedLimits() throws IOException {
        RateLimitConfig config = load(Map.of(
                "HOTSPOT_RATE_LIMIT_ENABLED", "false",
                "HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_PHONE_CAPACITY", "10",
                "HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_PHONE_PERIOD", "30m",
                "HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_PUBLIC_KEY_CAPACITY", "600",
                "HOTSPOT_RATE_LIMIT_LIMITS_PAYMENT_PER_IP_CAPACITY", "1000"));
        assertFalse(config.enabled());
        assertEquals(SHIPPED, config.limits().keySet());
        assertEquals(10, config.limits().get("payment-per-phone").capacity());
        assertEquals(Duration.ofMinutes(30), config.limits().get("payment-per-phone").period());
        assertEquals(600, config.limits().get("payment-per-public-key").capacity());
        assertEquals(Duration.ofMinutes(1), config.limits().get("payment-per-public-key").period());
        assertEquals(1000, config.limits().get("payment-per-ip").capacity());
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
