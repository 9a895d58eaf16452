package org.hotspotbilling.access;

import io.quarkus.test.junit.QuarkusTest;
import org.hotspotbilling.testing.FakeRouterOs;
import org.hotspotbilling.testing.Shop;
import org.hotspotbilling.testing.TestCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Push delivery over HTTPS to a router pinned to its certificate, and to one presenting another certificate. */
@QuarkusTest
class PushOverHttpsTest {

    private static final TestCertificate ROUTERS = TestCertificate.selfSigned("router.isp.example");
    private static final TestCertificate ANOTHER = TestCertificate.selfSigned("impostor.example");
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    private final FakeRouterOs router = FakeRouterOs.overHttps(ROUTERS);
    private Shop shop;

    @AfterEach
    void stop() {
        if (shop != null) {
            shop.owner().withJwt().body(Map.of("delivery", "poll")).patch("/routers/" + shop.routerId() + "/")
                    .then().statusCode(200);
        }
        router.close();
    }

    private boolean hasUser(String mac) {
        return router.rows("/ip/hotspot/user").stream().anyMatch(u -> mac.equals(u.get("name")));
    }

    private io.restassured.response.ValidatableResponse pushStatus() {
        return shop.owner().withJwt().get("/routers/" + shop.routerId() + "/push/").then().statusCode(200);
    }

    /** A push router over HTTPS pinned to {@code pin}, and a completed payment for {@code mac} on it. */
    private String paidOnRouterPinnedTo(String pin, String mac) {
        shop = Shop.pushingTo(router, "push", "hotspot-user", Map.of("use_https", true, "tls_fingerprint", pin));
        String payment = shop.paymentFor(mac);
        shop.simulate(payment, 0).statusCode(200);
        return payment;
    }

    @Test
    void aRouterPinnedToItsCertificateGetsTheGrant() {
        String mac = Shop.randomMac();
        String payment = paidOnRouterPinnedTo(ROUTERS.sha256(), mac);

        await().atMost(PATIENCE).untilAsserted(() -> shop.checkStatus(payment).body("access.state",
                equalTo("on_router")));
        assertTrue(hasUser(mac));
        pushStatus().body("tls.mode", equalTo("pinned")).body("tls.pinned_fingerprint", equalTo(ROUTERS.sha256()))
                .body("tls.last_error", nullValue());
    }

    @Test
    void aRouterPresentingAnotherCertificateIsRefusedUntilTheOwnerPinsTheRightOne() {
        String mac = Shop.randomMac();
        String payment = paidOnRouterPinnedTo(ANOTHER.sha256(), mac);

        await().atMost(PATIENCE).untilAsserted(() -> pushStatus()
                .body("failures", greaterThanOrEqualTo(1))
                .body("last_error", containsString("not the pinned " + ANOTHER.sha256()))
                .body("tls.mode", equalTo("pinned"))
                .body("tls.last_error", containsString("SHA-256 fingerprint " + ROUTERS.sha256()))
                .body("tls.last_error_at", notNullValue()));
        assertTrue(router.requests().isEmpty(), "no credentials, no writes: " + router.requests());
        shop.checkStatus(payment).body("access.state", equalTo("pending"));

        // The owner checks the fingerprint the connection test shows against the router and pins it.
        String seen = shop.owner().withJwt().post("/routers/" + shop.routerId() + "/test-connection/").then()
                .statusCode(200).extract().path("tls_fingerprint_seen");
        shop.owner().withJwt().body(Map.of("tls_fingerprint", seen)).patch("/routers/" + shop.routerId() + "/")
                .then().statusCode(200);

        await().atMost(PATIENCE).untilAsserted(() -> shop.checkStatus(payment).body("access.state",
                equalTo("on_router")));
        assertTrue(hasUser(mac));
        pushStatus().body("tls.last_error", nullValue()).body("tls.fingerprint_seen", equalTo(ROUTERS.sha256()));
    }
}
