package org.hotspotbilling.provider;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

@QuarkusTest
class CredentialTest {

    @Inject
    Db db;

    static String publicKey() {
        return "ISPubKey_test_" + UUID.randomUUID();
    }

    static String secretKey() {
        return "ISSecretKey_test_" + UUID.randomUUID();
    }

    static long create(TestOwner owner, String secret) {
        return owner.withJwt().body(Map.of("provider", "instasend", "api_key", publicKey(), "private_key", secret))
                .post("/payments/credentials/").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    @Test
    void privateKeyIsWriteOnlyAndStoredEncryptedWithAHash() {
        TestOwner owner = Owners.register();
        String secret = secretKey();
        long id = owner.withJwt().body(Map.of("provider", "instasend", "api_key", publicKey(), "private_key", secret))
                .post("/payments/credentials/")
                .then().statusCode(201)
                .body("provider", equalTo("instasend"))
                .body("provider_display", equalTo("IntaSend"))
                .body("environment", equalTo("sandbox"))
                .body("is_active", equalTo(true))
                .body("webhook_url", matchesPattern("/payments/webhook/intasend/[0-9a-f]{64}/"))
                .body("has_webhook_secret", equalTo(false))
                .body("$", not(hasKey("private_key")))
                .extract().jsonPath().getLong("id");
        byte[] ciphertext = db.queryBytes("SELECT private_key_ciphertext FROM payment_credential WHERE id = ?", id);
        assertFalse(new String(ciphertext, StandardCharsets.ISO_8859_1).contains(secret));
        String everything = owner.withJwt().get("/payments/credentials/").asString()
                + owner.withJwt().get("/payments/credentials/" + id + "/").asString()
                + owner.withJwt().get("/payments/credentials/provider/instasend/").asString();
        assertFalse(everything.contains(secret), "the private key must never be returned");
        owner.withJwt().get("/payments/credentials/" + id + "/get-private-key/")
                .then().statusCode(410).body("error", containsString("never returned"));
    }

    @Test
    void verifyComparesAgainstTheStoredKeyAndUpdateReplacesIt() {
        TestOwner owner = Owners.register();
        String secret = secretKey();
        long id = create(owner, secret);
        owner.withJwt().body(Map.of("private_key", secret)).post("/payments/credentials/" + id + "/verify/")
                .then().statusCode(200).body("is_valid", equalTo(true));
        owner.withJwt().body(Map.of("private_key", secretKey())).post("/payments/credentials/" + id + "/verify/")
                .then().statusCode(200).body("is_valid", equalTo(false)).body("message", equalTo("Invalid private key"));
        String replacement = secretKey();
        owner.withJwt().body(Map.of("private_key", replacement))
                .post("/payments/credentials/" + id + "/update-private-key/")
                .then().statusCode(200).body("message", equalTo("Private key updated successfully"));
        owner.withJwt().body(Map.of("private_key", replacement)).post("/payments/credentials/" + id + "/verify/")
                .then().body("is_valid", equalTo(true));
        owner.withJwt().body(Map.of("private_key", "short")).post("/payments/credentials/" + id + "/update-private-key/")
                .then().statusCode(400);
    }

    @Test
    void onePerProviderAndKeysMustMatchTheEnvironment() {
        TestOwner owner = Owners.register();
        create(owner, secretKey());
        owner.withJwt().body(Map.of("provider", "instasend", "api_key", publicKey(), "private_key", secretKey()))
                .post("/payments/credentials/").then().statusCode(400).body("error", containsString("already exist"));
        TestOwner other = Owners.register();
        other.withJwt().body(Map.of("provider", "instasend", "api_key", publicKey(), "private_key", secretKey(),
                        "environment", "live"))
                .post("/payments/credentials/").then().statusCode(400)
                .body("fields.api_key", containsString("ISPubKey_live_"))
                .body("fields.private_key", containsString("ISSecretKey_live_"));
        other.withJwt().body(Map.of("provider", "instasend", "api_key", "anything-for-sim", "private_key",
                        "anything-for-sim", "environment", "simulator"))
                .post("/payments/credentials/").then().statusCode(201).body("environment", equalTo("simulator"));
        assertEquals(1, db.queryLong("SELECT count(*) FROM payment_credential WHERE owner_id = ?", other.id()));
    }

    @Test
    void toggleByProviderAndDelete() {
        TestOwner owner = Owners.register();
        long id = create(owner, secretKey());
        owner.withJwt().post("/payments/credentials/" + id + "/toggle/").then().statusCode(200)
                .body("credentials.is_active", equalTo(false))
                .body("message", equalTo("Payment credentials for IntaSend have been deactivated"));
        owner.withJwt().get("/payments/credentials/provider/instasend/").then().statusCode(200)
                .body("id", equalTo((int) id));
        owner.withJwt().get("/payments/credentials/provider/kopokopo/").then().statusCode(404);
        owner.withJwt().get("/payments/credentials/provider/paypal/").then().statusCode(400);
        owner.withJwt().delete("/payments/credentials/" + id + "/").then().statusCode(200);
        owner.withJwt().get("/payments/credentials/" + id + "/").then().statusCode(404);
    }

    @Test
    void webhookChallengeIsShownOnceAndStoredAsAHash() {
        TestOwner owner = Owners.register();
        long id = create(owner, secretKey());
        String generated = owner.withJwt().post("/payments/credentials/" + id + "/webhook-secret/")
                .then().statusCode(200).body("challenge", notNullValue())
                .extract().path("challenge");
        owner.withJwt().get("/payments/credentials/" + id + "/").then()
                .body("has_webhook_secret", equalTo(true)).body("$", not(hasKey("challenge")));
        assertEquals(0, db.queryLong("SELECT count(*) FROM payment_credential WHERE webhook_secret_sha256 = ?",
                generated));
        owner.withJwt().body(Map.of("challenge", "my-own-challenge-1234"))
                .post("/payments/credentials/" + id + "/webhook-secret/")
                .then().statusCode(200).body("challenge", equalTo("my-own-challenge-1234"));
        owner.withJwt().body(Map.of("challenge", "short")).post("/payments/credentials/" + id + "/webhook-secret/")
                .then().statusCode(400);
    }

    @Test
    void anotherOwnersCredentialAnswers404OnEveryVerb() {
        TestOwner victim = Owners.register();
        TestOwner intruder = Owners.register();
        long id = create(victim, secretKey());
        String before = db.rowJson("payment_credential", id);
        Map<String, Function<RequestSpecification, Response>> calls = new LinkedHashMap<>();
        calls.put("GET", r -> r.get("/payments/credentials/" + id + "/"));
        calls.put("PUT", r -> r.body(Map.of("is_active", false)).put("/payments/credentials/" + id + "/"));
        calls.put("PATCH", r -> r.body(Map.of("is_active", false)).patch("/payments/credentials/" + id + "/"));
        calls.put("DELETE", r -> r.delete("/payments/credentials/" + id + "/"));
        calls.put("update-private-key", r -> r.body(Map.of("private_key", secretKey()))
                .post("/payments/credentials/" + id + "/update-private-key/"));
        calls.put("verify", r -> r.body(Map.of("private_key", secretKey())).post("/payments/credentials/" + id + "/verify/"));
        calls.put("toggle", r -> r.post("/payments/credentials/" + id + "/toggle/"));
        calls.put("webhook-secret", r -> r.post("/payments/credentials/" + id + "/webhook-secret/"));
        calls.put("get-private-key", r -> r.get("/payments/credentials/" + id + "/get-private-key/"));
        calls.forEach((name, call) -> assertEquals(404, call.apply(intruder.withJwt()).statusCode(), name));
        assertEquals(before, db.rowJson("payment_credential", id));
        victim.asPortal().get("/payments/credentials/").then().statusCode(403);
    }

    @Test
    void badInputIsRefusedAndWritesNothing() {
        TestOwner owner = Owners.register();
        long count = db.count("payment_credential");
        for (String body : new String[] {
                "{\"api_key\":\"ISPubKey_test_x\",\"private_key\":\"ISSecretKey_test_xxxxxxxx\"}",
                "{\"provider\":\"paypal\",\"api_key\":\"k\",\"private_key\":\"kkkkkkkkkkkk\"}",
                "{\"provider\":\"instasend\",\"private_key\":\"ISSecretKey_test_xxxxxxxx\"}",
                "{\"provider\":\"instasend\",\"api_key\":\"ISPubKey_test_x\"}",
                "{\"provider\":\"instasend\",\"api_key\":\"ISPubKey_test_x\",\"private_key\":\"ISSecretKey_test_x\","
                        + "\"environment\":\"production\"}",
                "{\"provider\":\"instasend\",\"api_key\":\"ISPubKey_test x\",\"private_key\":\"ISSecretKey_test_xxxxxxxx\"}",
                "{\"provider\":\"instasend\",\"api_key\":5,\"private_key\":\"ISSecretKey_test_xxxxxxxx\"}",
                "[]", "" }) {
            owner.withJwt().body(body).post("/payments/credentials/").then().statusCode(400)
                    .body("error", notNullValue());
        }
        assertEquals(count, db.count("payment_credential"));
    }
}
