package org.hotspotbilling.testing;

import io.restassured.response.ValidatableResponse;
import org.hotspotbilling.testing.Owners.TestOwner;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** An owner with a router, a package and payment credentials, ready to sell: the setting of payment tests. */
public record Shop(TestOwner owner, long routerId, long planId, String price, long credentialId) {

    /** Credentials in simulator mode: no network, outcomes through simulate-callback. */
    public static Shop simulated() {
        return open("simulator", "sim-public-key", "sim-private-key");
    }

    /** Credentials for IntaSend's sandbox (pointed at the WireMock fake in tests). Keys are generated, never real. */
    public static Shop sandbox() {
        return open("sandbox", "ISPubKey_test_" + UUID.randomUUID(), "ISSecretKey_test_" + UUID.randomUUID());
    }

    /**
     * A simulator shop whose router is the fake RouterOS, with the given delivery (poll, push, both) and
     * enforcement mode (hotspot-user, ip-binding).
     */
    public static Shop pushingTo(FakeRouterOs fake, String delivery, String enforcementMode) {
        return pushingTo(fake, delivery, enforcementMode, Map.of());
    }

    /** The same, with more router fields (e.g. use_https and tls_fingerprint for a fake over HTTPS). */
    public static Shop pushingTo(FakeRouterOs fake, String delivery, String enforcementMode,
            Map<String, Object> moreRouterFields) {
        Map<String, Object> router = new HashMap<>(Map.of("host", "127.0.0.1", "port", fake.port(),
                "username", fake.username(), "password", fake.password(), "delivery", delivery,
                "enforcement_mode", enforcementMode));
        router.putAll(moreRouterFields);
        return open("simulator", "sim-public-key", "sim-private-key", router);
    }

    private static Shop open(String environment, String apiKey, String privateKey) {
        return open(environment, apiKey, privateKey, null);
    }

    private static Shop open(String environment, String apiKey, String privateKey, Map<String, Object> routerFields) {
        TestOwner owner = Owners.register();
        long router = routerFields == null ? Fixtures.router(owner) : Fixtures.router(owner, routerFields);
        long plan = Fixtures.plan(owner, router, Map.of("name", "1 Hour", "price", "20.00", "duration_hours", 1,
                "download_speed_mbps", 5, "upload_speed_mbps", 2));
        long credential = owner.withJwt().body(Map.of("provider", "instasend", "api_key", apiKey, "private_key",
                        privateKey, "environment", environment))
                .post("/payments/credentials/").then().statusCode(201).extract().jsonPath().getLong("id");
        return new Shop(owner, router, plan, "20.00", credential);
    }

    /** A purchase for a fresh device, as a captive page sends it (portal purchases must name the device). */
    public Map<String, Object> purchase(String phone) {
        return purchase(phone, randomMac());
    }

    /** A purchase for the device {@code mac}; null leaves the MAC out, which only owner callers may do. */
    public Map<String, Object> purchase(String phone, String mac) {
        Map<String, Object> body = new HashMap<>(Map.of("router_id", routerId, "package_id", planId,
                "phone_number", phone, "amount", price));
        if (mac != null) {
            body.put("mac_address", mac);
        }
        return body;
    }

    /** Initiates through the portal (public key) and answers the response for further checks. */
    public ValidatableResponse initiate(Map<String, Object> body) {
        return owner.asPortal().body(body).post("/payments/intasend/initiate/").then();
    }

    /** A payment started for a fresh device from a fresh phone; answers its id. */
    public String paymentFor(String mac) {
        return initiate(purchase(phone(), mac)).statusCode(201).extract().path("payment.id");
    }

    /** A random Safaricom number in local form, so per-phone rate limits of one test never touch another. */
    public static String phone() {
        return "07" + String.format("%08d", java.util.concurrent.ThreadLocalRandom.current().nextInt(100_000_000));
    }

    /** A payment for a fresh device paid from this phone (IntaSend tests key their fake stubs by phone). */
    public String paymentViaPhone(String phone) {
        return initiate(purchase(phone, randomMac())).statusCode(201).extract().path("payment.id");
    }

    /** Sets a fresh webhook challenge for this shop's credential and answers it. */
    public String webhookChallenge() {
        return owner.withJwt().post("/payments/credentials/" + credentialId + "/webhook-secret/").then().statusCode(200)
                .extract().path("challenge");
    }

    /** Delivers an IntaSend webhook to this shop's webhook URL. */
    public ValidatableResponse webhook(Map<String, Object> body) {
        String url = owner.withJwt().get("/payments/credentials/" + credentialId + "/").then().extract().path("webhook_url");
        return io.restassured.RestAssured.given().contentType("application/json").body(body).post(url).then();
    }

    public ValidatableResponse simulate(String paymentId, int resultCode) {
        return owner.withJwt().body(Map.of("result_code", resultCode))
                .post("/payments/" + paymentId + "/simulate-callback/").then();
    }

    public ValidatableResponse checkStatus(String paymentId) {
        return owner.asPortal().post("/payments/intasend/" + paymentId + "/check-status/").then();
    }

    public static String randomMac() {
        StringBuilder mac = new StringBuilder("02");
        for (int i = 0; i < 5; i++) {
            mac.append(':').append(String.format("%02X", (int) (Math.random() * 256)));
        }
        return mac.toString();
    }
}
