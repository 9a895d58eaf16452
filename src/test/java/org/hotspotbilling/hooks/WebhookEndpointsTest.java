package org.hotspotbilling.hooks;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Owners' webhook endpoints: CRUD, the secret shown once and stored encrypted, rotation, bad input, tenancy. */
@QuarkusTest
class WebhookEndpointsTest {

    private static final String BASE = "/webhooks/endpoints/";

    @Inject
    Db db;

    static Map<String, Object> endpoint(String url, String... types) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("url", url);
        body.put("event_types", List.of(types));
        body.put("description", "Accounting");
        return body;
    }

    static JsonPath create(TestOwner owner, Map<String, Object> body) {
        return owner.withJwt().body(body).post(BASE).then().statusCode(201).extract().jsonPath();
    }

    @Test
    void createShowsTheSecretOnceAndStoresItEncrypted() {
        TestOwner owner = Owners.register();
        JsonPath created = create(owner, endpoint("https://hooks.isp.example/in", "payment.succeeded"));
        String secret = created.getString("secret");
        assertTrue(secret.startsWith("whsec_"), secret);
        assertEquals(32, Base64.getDecoder().decode(secret.substring("whsec_".length())).length);
        assertEquals(List.of("payment.succeeded"), created.getList("event_types"));
        assertTrue(created.getBoolean("enabled"));
        long id = created.getLong("id");

        owner.withJwt().get(BASE + id + "/").then().statusCode(200)
                .body("url", equalTo("https://hooks.isp.example/in")).body("$", not(org.hamcrest.Matchers.hasKey("secret")));
        owner.withJwt().get(BASE).then().statusCode(200).body("id", hasItem((int) id))
                .body("secret", everyItemNull());
        byte[] stored = db.queryBytes("SELECT secret_ciphertext FROM webhook_endpoint WHERE id = ?", id);
        assertFalse(new String(stored, StandardCharsets.ISO_8859_1).contains(secret.substring(6, 20)),
                "the secret is not stored in the clear");
    }

    private static org.hamcrest.Matcher<Iterable<? extends Object>> everyItemNull() {
        return org.hamcrest.Matchers.everyItem(nullValue());
    }

    @Test
    void updateDeleteWithAndWithoutTrailingSlash() {
        TestOwner owner = Owners.register();
        long id = create(owner, endpoint("https://hooks.isp.example/a", "payment.created")).getLong("id");

        owner.withJwt().body(Map.of("description", "SMS gateway", "enabled", false)).patch(BASE + id)
                .then().statusCode(200).body("description", equalTo("SMS gateway")).body("enabled", equalTo(false))
                .body("url", equalTo("https://hooks.isp.example/a"));
        owner.withJwt().body(Map.of("url", "https://hooks.isp.example/b", "event_types",
                        List.of("access.on_router", "router.offline", "access.on_router")))
                .put(BASE + id + "/").then().statusCode(200)
                .body("url", equalTo("https://hooks.isp.example/b"))
                .body("event_types", equalTo(List.of("access.on_router", "router.offline")))
                .body("description", equalTo("")).body("enabled", equalTo(true));
        owner.withJwt().get("/webhooks/endpoints").then().statusCode(200).body("id", hasItem((int) id));
        owner.withJwt().delete(BASE + id).then().statusCode(200);
        owner.withJwt().get(BASE + id + "/").then().statusCode(404).body("error", notNullValue());
    }

    @Test
    void rotationAnswersANewSecretAndKeepsThePreviousForTheOverlap() {
        TestOwner owner = Owners.register();
        JsonPath created = create(owner, endpoint("https://hooks.isp.example/r", "payment.created"));
        long id = created.getLong("id");
        byte[] before = db.queryBytes("SELECT secret_ciphertext FROM webhook_endpoint WHERE id = ?", id);

        JsonPath rotated = owner.withJwt().post(BASE + id + "/rotate-secret/").then().statusCode(200)
                .body("previous_secret_expires_at", notNullValue()).extract().jsonPath();
        assertTrue(rotated.getString("secret").startsWith("whsec_"));
        assertNotEquals(created.getString("secret"), rotated.getString("secret"));
        assertTrue(java.util.Arrays.equals(before,
                db.queryBytes("SELECT previous_secret_ciphertext FROM webhook_endpoint WHERE id = ?", id)));
        // %test overlap is 1h
        long overlapSeconds = db.queryLong("SELECT extract(epoch FROM previous_secret_until - now())::bigint "
                + "FROM webhook_endpoint WHERE id = ?", id);
        assertTrue(overlapSeconds > 3500 && overlapSeconds <= 3600, "overlap " + overlapSeconds);
    }

    @Test
    void anotherOwnersEndpointAnswers404AndIsNotChanged() {
        TestOwner owner = Owners.register();
        TestOwner other = Owners.register();
        long id = create(owner, endpoint("https://hooks.isp.example/mine", "payment.created")).getLong("id");
        String row = db.rowJson("webhook_endpoint", id);

        other.withJwt().get(BASE + id + "/").then().statusCode(404).body("error", notNullValue());
        other.withJwt().body(Map.of("enabled", false)).patch(BASE + id + "/").then().statusCode(404);
        other.withJwt().body(endpoint("https://x.example/", "payment.created")).put(BASE + id + "/").then()
                .statusCode(404);
        other.withJwt().post(BASE + id + "/rotate-secret/").then().statusCode(404);
        other.withJwt().get(BASE + id + "/deliveries/").then().statusCode(404);
        other.withJwt().get(BASE + id + "/attempts/").then().statusCode(404);
        other.withJwt().body(Map.of("since", "2020-01-01T00:00:00Z")).post(BASE + id + "/replay/").then()
                .statusCode(404);
        other.withJwt().delete(BASE + id + "/").then().statusCode(404);
        other.withJwt().get(BASE).then().statusCode(200).body("id", not(hasItem((int) id)));

        assertEquals(row, db.rowJson("webhook_endpoint", id));
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        TestOwner owner = Owners.register();
        long id = create(owner, endpoint("https://hooks.isp.example/keep", "payment.created")).getLong("id");
        String row = db.rowJson("webhook_endpoint", id);
        long endpoints = db.count("webhook_endpoint");

        Map<String, Map<String, Object>> bad = new LinkedHashMap<>();
        bad.put("not a URL", endpoint("not a url", "payment.created"));
        bad.put("no scheme", endpoint("hooks.isp.example/in", "payment.created"));
        bad.put("ftp", endpoint("ftp://hooks.isp.example/in", "payment.created"));
        bad.put("credentials", endpoint("https://user:pw@hooks.isp.example/in", "payment.created"));
        bad.put("metadata address", endpoint("http://169.254.169.254/latest/meta-data/", "payment.created"));
        bad.put("metadata name", endpoint("http://metadata.google.internal/x", "payment.created"));
        bad.put("link-local", endpoint("http://169.254.10.20/in", "payment.created"));
        bad.put("IPv6 link-local", endpoint("http://[fe80::1]/in", "payment.created"));
        bad.put("too long URL", endpoint("https://hooks.isp.example/" + "a".repeat(2000), "payment.created"));
        bad.put("unknown type", endpoint("https://hooks.isp.example/in", "payment.refunded"));
        bad.put("empty types", endpoint("https://hooks.isp.example/in"));
        Map<String, Object> noTypes = endpoint("https://hooks.isp.example/in");
        noTypes.remove("event_types");
        bad.put("no types", noTypes);
        Map<String, Object> noUrl = endpoint(null, "payment.created");
        bad.put("no url", noUrl);
        Map<String, Object> longDescription = endpoint("https://hooks.isp.example/in", "payment.created");
        longDescription.put("description", "d".repeat(201));
        bad.put("too long description", longDescription);
        Map<String, Object> controls = endpoint("https://hooks.isp.example/in", "payment.created");
        controls.put("description", "bell\u0007");
        bad.put("control characters", controls);

        bad.forEach((why, body) -> {
            owner.withJwt().body(body).post(BASE).then().log().ifValidationFails().statusCode(400)
                    .body("error", notNullValue());
            if (body.get("url") != null && body.containsKey("event_types")) {
                owner.withJwt().body(body).put(BASE + id + "/").then().statusCode(400).body("error", notNullValue());
            }
        });
        for (String raw : List.of("{", "[]", "{\"url\": 5, \"event_types\": [\"payment.created\"]}",
                "{\"url\": \"https://h.example/\", \"event_types\": \"payment.created\"}",
                "{\"url\": \"https://h.example/\", \"event_types\": [\"payment.created\"], \"enabled\": \"yes\"}")) {
            owner.withJwt().body(raw).post(BASE).then().statusCode(400).body("error", notNullValue());
            owner.withJwt().body(raw).patch(BASE + id + "/").then().statusCode(400).body("error", notNullValue());
        }
        owner.withJwt().post(BASE).then().statusCode(400).body("error", notNullValue());
        owner.withJwt().body(Map.of("event_types", List.of())).patch(BASE + id + "/").then().statusCode(400)
                .body("error", containsString("event_types"));
        owner.withJwt().body(Map.of("url", "http://169.254.169.254/")).patch(BASE + id + "/").then().statusCode(400)
                .body("error", containsString("url"));

        assertEquals(endpoints, db.count("webhook_endpoint"));
        assertEquals(row, db.rowJson("webhook_endpoint", id));
    }

    @Test
    void withoutAToken401() {
        io.restassured.RestAssured.given().get(BASE).then().statusCode(401);
    }
}
