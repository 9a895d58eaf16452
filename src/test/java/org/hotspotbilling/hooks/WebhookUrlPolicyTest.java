package org.hotspotbilling.hooks;

import org.hotspotbilling.router.HostPolicy;
import org.hotspotbilling.router.RouterConfig;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Endpoint URLs under the production defaults, which the test profile relaxes (its receivers are plain http on
 * 127.0.0.1): https only, and the routers' address policy with loopback refused.
 */
class WebhookUrlPolicyTest {

    private final WebhookEndpoints endpoints = new WebhookEndpoints(null, null,
            new HostPolicy(stub(RouterConfig.class, Map.of())), stub(WebhookConfig.class, Map.of("requireHttps", true)),
            null);

    @SuppressWarnings("unchecked")
    private static <T> T stub(Class<T> type, Map<String, Object> values) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type },
                (proxy, method, args) -> values.getOrDefault(method.getName(),
                        method.getReturnType() == boolean.class ? false : null));
    }

    @Test
    void productionRefusesPlainHttpLoopbackAndMetadata() {
        assertEquals(Optional.of("Must use https."), endpoints.urlProblem("http://hooks.isp.example/in"));
        assertTrue(endpoints.urlProblem("https://127.0.0.1/in").orElseThrow().contains("loopback"));
        assertTrue(endpoints.urlProblem("https://localhost:8443/in").orElseThrow().contains("loopback"));
        assertTrue(endpoints.urlProblem("https://[::1]/in").orElseThrow().contains("loopback"));
        assertTrue(endpoints.urlProblem("https://169.254.169.254/").orElseThrow().contains("metadata"));
        assertTrue(endpoints.urlProblem("https://[fe80::1]/").orElseThrow().contains("link-local"));
        assertEquals(Optional.empty(), endpoints.urlProblem("https://hooks.isp.example/in?x=1"));
        assertEquals(Optional.empty(), endpoints.urlProblem("https://10.0.0.5:8443/in"),
                "private ranges stay allowed, as for routers (VPNs)");
    }
}
