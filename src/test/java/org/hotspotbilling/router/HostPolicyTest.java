package org.hotspotbilling.router;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SSRF guard with its production defaults (the Quarkus tests run with loopback allowed, for the fake router). */
class HostPolicyTest {

    private static RouterConfig config(boolean loopback, boolean linkLocal, boolean metadata) {
        return new RouterConfig() {
            public Duration connectTimeout() {
                return Duration.ofSeconds(5);
            }

            public Duration readTimeout() {
                return Duration.ofSeconds(10);
            }

            public boolean allowLoopback() {
                return loopback;
            }

            public boolean allowLinkLocal() {
                return linkLocal;
            }

            public boolean allowMetadata() {
                return metadata;
            }

            public Duration pollInterval() {
                return Duration.ofSeconds(10);
            }

            public Duration listCacheTtl() {
                return Duration.ofSeconds(5);
            }
        };
    }

    private final HostPolicy defaults = new HostPolicy(config(false, false, false));

    @ParameterizedTest(name = "refused by default: {0}")
    @ValueSource(strings = { "127.0.0.1", "127.1.2.3", "::1", "localhost", "api.localhost", "169.254.1.1", "fe80::1",
            "169.254.169.254", "fd00:ec2::254", "100.100.100.200", "168.63.129.16", "metadata.google.internal",
            "0.0.0.0", "::", "224.0.0.1", "255.255.255.255", "::ffff:127.0.0.1" })
    void specialAddressesAreRefusedByDefault(String host) {
        assertTrue(defaults.refusal(host).isPresent(), host);
    }

    @ParameterizedTest(name = "allowed: {0}")
    @ValueSource(strings = { "10.8.0.2", "192.168.88.1", "172.16.5.4", "100.64.0.7", "41.90.1.2", "2001:db8::1",
            "fd12:3456::1", "router.isp.example" })
    void privateAndPublicAddressesAndNamesAreAllowed(String host) {
        assertEquals(Optional.empty(), defaults.refusal(host), host);
    }

    @Test
    void eachSpecialRangeCanBeAllowedOnItsOwn() {
        HostPolicy lab = new HostPolicy(config(true, true, false));
        assertFalse(lab.refusal("127.0.0.1").isPresent());
        assertFalse(lab.refusal("169.254.1.1").isPresent());
        assertTrue(lab.refusal("169.254.169.254").isPresent(), "metadata stays refused unless allowed itself");
        assertFalse(new HostPolicy(config(false, false, true)).refusal("169.254.169.254").isPresent());
    }

    @Test
    void namesAreCheckedAgainAfterResolving() throws Exception {
        assertTrue(defaults.refusalAfterResolving("localhost").isPresent());
        assertTrue(defaults.refusalAfterResolving("127.0.0.1").isPresent());
    }

    @ParameterizedTest(name = "malformed host: {0}")
    @ValueSource(strings = { "", "not a host", "1.2.3.256", "1.2.3", "host_name.example", "-bad.example",
            "http://10.0.0.1", "10.0.0.1:80", "a..b", "[::1]" })
    void malformedHostsAreNotWellFormed(String host) {
        assertFalse(HostPolicy.wellFormed(host), host);
    }
}
