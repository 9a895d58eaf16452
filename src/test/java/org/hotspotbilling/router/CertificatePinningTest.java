package org.hotspotbilling.router;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.FakeRouterOs;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.hotspotbilling.testing.TestCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A router over HTTPS with its own self-signed certificate: the connection test shows the certificate's
 * fingerprint, the owner pins it, and from then on exactly that certificate is accepted.
 */
@QuarkusTest
class CertificatePinningTest {

    private static final TestCertificate ROUTERS = TestCertificate.selfSigned("router.isp.example");
    private static final TestCertificate ANOTHER = TestCertificate.selfSigned("impostor.example");

    @Inject
    Db db;

    private FakeRouterOs fake;
    private TestOwner owner;

    @BeforeEach
    void start() {
        fake = FakeRouterOs.overHttps(ROUTERS);
        owner = Owners.register();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private long router(Map<String, Object> more) {
        Map<String, Object> fields = new HashMap<>(Map.of("host", "127.0.0.1", "port", fake.port(),
                "username", fake.username(), "password", fake.password(), "use_https", true));
        fields.putAll(more);
        return Fixtures.router(owner, fields);
    }

    @Test
    void theConnectionTestShowsTheCertificateAndAPinOnItIsAccepted() {
        long id = router(Map.of());
        owner.withJwt().post("/routers/" + id + "/test-connection/").then().statusCode(200)
                .body("is_online", equalTo(false))
                .body("detail", containsString("not trusted"))
                .body("tls_fingerprint_seen", equalTo(ROUTERS.sha256()))
                .body("tls_fingerprint", nullValue());
        assertTrue(fake.requests().isEmpty(), "an untrusted router gets no request: " + fake.requests());
        owner.withJwt().get("/routers/" + id + "/").then()
                .body("tls_fingerprint_seen", equalTo(ROUTERS.sha256()))
                .body("tls_fingerprint_seen_at", notNullValue());

        owner.withJwt().body(Map.of("tls_fingerprint", ROUTERS.sha256WithColons())).patch("/routers/" + id + "/")
                .then().statusCode(200).body("tls_fingerprint", equalTo(ROUTERS.sha256()));

        owner.withJwt().post("/routers/" + id + "/test-connection/").then().statusCode(200)
                .body("is_online", equalTo(true)).body("detail", nullValue())
                .body("tls_fingerprint", equalTo(ROUTERS.sha256()));
        assertTrue(fake.requests().contains("GET /rest/system/resource"), fake.requests().toString());
    }

    @Test
    void aRouterPresentingAnotherCertificateThanItsPinGetsNoRequest() {
        long id = router(Map.of("tls_fingerprint", ANOTHER.sha256()));
        owner.withJwt().post("/routers/" + id + "/test-connection/").then().statusCode(200)
                .body("is_online", equalTo(false))
                .body("detail", containsString("presented a certificate with SHA-256 fingerprint " + ROUTERS.sha256()
                        + ", not the pinned " + ANOTHER.sha256()))
                .body("tls_fingerprint_seen", equalTo(ROUTERS.sha256()));
        owner.withJwt().get("/routers/" + id + "/device-info/").then().statusCode(502)
                .body("error", containsString("not the pinned"));
        assertTrue(fake.requests().isEmpty(), "neither credentials nor commands may reach it: " + fake.requests());
    }

    @Test
    void verifyTlsFalseStillAcceptsAnyCertificateForLabs() {
        long id = router(Map.of("verify_tls", false));
        owner.withJwt().post("/routers/" + id + "/test-connection/").then().statusCode(200)
                .body("is_online", equalTo(true)).body("tls_fingerprint_seen", equalTo(ROUTERS.sha256()));
    }

    @Test
    void anEmptyPinRemovesIt() {
        long id = router(Map.of("tls_fingerprint", ROUTERS.sha256()));
        owner.withJwt().body(Map.of("tls_fingerprint", "")).patch("/routers/" + id + "/").then().statusCode(200)
                .body("tls_fingerprint", nullValue());
    }

    @Test
    void malformedPinsAreRefusedAndChangeNothing() {
        long id = router(Map.of("tls_fingerprint", ROUTERS.sha256()));
        String before = db.rowJson("router", id);
        for (String pin : new String[] { "abc", ROUTERS.sha256().substring(1), "z" + ROUTERS.sha256().substring(1),
                ROUTERS.sha256() + "00", ROUTERS.sha256WithColons().replaceFirst(":", ""),
                "SHA256 Fingerprint=" + ROUTERS.sha256WithColons(), "x".repeat(96) }) {
            owner.withJwt().body(Map.of("tls_fingerprint", pin)).patch("/routers/" + id + "/").then()
                    .statusCode(400).body("fields.tls_fingerprint", notNullValue());
        }
        owner.withJwt().body(Map.of("use_https", false)).patch("/routers/" + id + "/").then().statusCode(400)
                .body("fields.tls_fingerprint", containsString("needs use_https"));
        assertEquals(before, db.rowJson("router", id));
    }

    @Test
    void anotherOwnersRouterIsNotFoundWhateverThePin() {
        long id = router(Map.of());
        TestOwner other = Owners.register();
        other.withJwt().body(Map.of("tls_fingerprint", ANOTHER.sha256())).patch("/routers/" + id + "/").then()
                .statusCode(404);
        other.withJwt().body(Map.of("tls_fingerprint", "malformed")).patch("/routers/" + id + "/").then()
                .statusCode(404);
        owner.withJwt().get("/routers/" + id + "/").then().body("tls_fingerprint", nullValue());
    }
}
