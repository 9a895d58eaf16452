package org.hotspotbilling.tenant;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.jwt.build.Jwt;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

/** Each way in is accepted in its right form and refused, with a 401 {"error"}, in every wrong one. */
@QuarkusTest
class AuthenticationMechanismsTest {

    private static final String PROBE = "/test-probe/whoami";

    @Inject
    Db db;

    @Test
    void jwtAccessTokenAuthenticatesAsOwner() {
        TestOwner owner = Owners.register();
        owner.withJwt().get(PROBE).then().statusCode(200)
                .body("owner_id", equalTo((int) owner.id()))
                .body("roles", contains(Roles.OWNER));
    }

    @Test
    void keyPairAuthenticatesAsOwner() {
        TestOwner owner = Owners.register();
        owner.withKeyPair().get(PROBE).then().statusCode(200)
                .body("owner_id", equalTo((int) owner.id()))
                .body("roles", contains(Roles.OWNER));
        owner.withKeyPair().get("/users/profile/").then().statusCode(200).body("username", equalTo(owner.username()));
    }

    @Test
    void publicKeyAuthenticatesAsPortalOnlyAndIsCaseInsensitive() {
        TestOwner owner = Owners.register();
        owner.asPortal().get(PROBE).then().statusCode(200)
                .body("owner_id", equalTo((int) owner.id()))
                .body("roles", contains(Roles.PORTAL));
        given().header("X-Public-Key", owner.publicKey().toUpperCase()).get(PROBE)
                .then().statusCode(200).body("owner_id", equalTo((int) owner.id()));
        // The public key sits in captive pages: it must not open owner endpoints.
        owner.asPortal().get("/users/profile/").then().statusCode(403).body("error", notNullValue());
        owner.asPortal().post("/users/rotate-api-keys/").then().statusCode(403);
    }

    @Test
    void apiKeyLoginExchangesThePairForTokens() {
        TestOwner owner = Owners.register();
        String access = given().contentType(ContentType.JSON)
                .body(Map.of("public_key", owner.publicKey(), "private_key", owner.privateKey()))
                .post("/users/api-key-login/")
                .then().statusCode(200).body("message", equalTo("API key authentication successful"))
                .extract().path("access_token");
        given().header("Authorization", "Bearer " + access).get(PROBE).then().statusCode(200)
                .body("owner_id", equalTo((int) owner.id()));
        given().contentType(ContentType.JSON)
                .body(Map.of("public_key", owner.publicKey(), "private_key", "0".repeat(64)))
                .post("/users/api-key-login/").then().statusCode(401).body("error", equalTo("Invalid API keys"));
        given().contentType(ContentType.JSON).body(Map.of("public_key", owner.publicKey()))
                .post("/users/api-key-login/").then().statusCode(400)
                .body("error", equalTo("Public key and private key are required"));
    }

    @Test
    void noCredentialsIsA401() {
        given().get(PROBE).then().statusCode(401).contentType(ContentType.JSON)
                .body("error", equalTo("Authentication credentials were not provided."));
    }

    @ParameterizedTest(name = "malformed public key {0}")
    @ValueSource(strings = { "abc", "0123456789abcdef0123456789abcdeg", "0123456789abcdef0123456789abcdef00", " ",
            "' OR 1=1 --" })
    void malformedPublicKeyIsA401WithTheFormatMessage(String key) {
        given().header("X-Public-Key", key).get(PROBE).then().statusCode(401)
                .body("error", startsWith("Invalid public API key format."));
    }

    @Test
    void unknownPublicKeyIsA401() {
        given().header("X-Public-Key", "0123456789abcdef0123456789abcdef").get(PROBE).then().statusCode(401)
                .body("error", startsWith("Invalid public API key. The provided key does not exist"));
    }

    @Test
    void keyPairWithWrongPrivateKeyOrOneHeaderMissingIsA401() {
        TestOwner owner = Owners.register();
        given().header("X-API-Key", owner.publicKey()).header("X-Private-Key", "f".repeat(64)).get(PROBE)
                .then().statusCode(401).body("error", equalTo("Invalid API keys"));
        given().header("X-API-Key", owner.publicKey()).get(PROBE)
                .then().statusCode(401).body("error", equalTo("Both X-API-Key and X-Private-Key headers are required."));
        given().header("X-Private-Key", owner.privateKey()).get(PROBE).then().statusCode(401);
        given().header("X-API-Key", "nothex").header("X-Private-Key", owner.privateKey()).get(PROBE)
                .then().statusCode(401).body("error", equalTo("Invalid API keys"));
    }

    @Test
    void jwtOfAnotherFormIsRefused() throws Exception {
        TestOwner owner = Owners.register();
        String subject = String.valueOf(owner.id());
        var foreignKey = KeyPairGenerator.getInstance("RSA");
        foreignKey.initialize(2048);
        Map<String, String> forged = Map.of(
                "garbage", "not-a-token",
                "signed by another key", Jwt.issuer("hotspot-billing").audience("hotspot-billing-api").subject(subject)
                        .groups(Set.of(Roles.OWNER)).claim(TokenService.TOKEN_TYPE, TokenService.ACCESS)
                        .sign(foreignKey.generateKeyPair().getPrivate()),
                "wrong issuer", Jwt.issuer("someone-else").audience("hotspot-billing-api").subject(subject)
                        .groups(Set.of(Roles.OWNER)).claim(TokenService.TOKEN_TYPE, TokenService.ACCESS).sign(),
                "wrong audience", Jwt.issuer("hotspot-billing").audience("another-api").subject(subject)
                        .groups(Set.of(Roles.OWNER)).claim(TokenService.TOKEN_TYPE, TokenService.ACCESS).sign(),
                "expired", Jwt.issuer("hotspot-billing").audience("hotspot-billing-api").subject(subject)
                        .groups(Set.of(Roles.OWNER)).claim(TokenService.TOKEN_TYPE, TokenService.ACCESS)
                        .issuedAt(Instant.now().minusSeconds(7200)).expiresAt(Instant.now().minusSeconds(3600)).sign(),
                "refresh token", owner.refreshToken(),
                "unknown owner", Jwt.issuer("hotspot-billing").audience("hotspot-billing-api").subject("999999999")
                        .groups(Set.of(Roles.OWNER)).claim(TokenService.TOKEN_TYPE, TokenService.ACCESS).sign());
        forged.forEach((name, token) -> given().header("Authorization", "Bearer " + token).get(PROBE)
                .then().statusCode(401).contentType(ContentType.JSON).body("error", notNullValue()));
        // the control: the same construction with the right key, issuer and audience works
        String valid = Jwt.issuer("hotspot-billing").audience("hotspot-billing-api").subject(subject)
                .groups(Set.of(Roles.OWNER)).claim(TokenService.TOKEN_TYPE, TokenService.ACCESS).sign();
        given().header("Authorization", "Bearer " + valid).get(PROBE).then().statusCode(200);
    }

    @Test
    void disabledAccountIsRefusedEveryWayIn() {
        TestOwner owner = Owners.register();
        db.update("UPDATE owner_account SET is_active = false WHERE id = ?", owner.id());
        String disabled = "User account is disabled. Please contact support to reactivate your account.";
        owner.withJwt().get(PROBE).then().statusCode(401).body("error", equalTo(disabled));
        owner.withKeyPair().get(PROBE).then().statusCode(401).body("error", equalTo(disabled));
        owner.asPortal().get(PROBE).then().statusCode(401).body("error", equalTo(disabled));
        given().contentType(ContentType.JSON).body(Map.of("username", owner.username(), "password", Owners.PASSWORD))
                .post("/users/login/").then().statusCode(401).body("error", equalTo(disabled));
        given().contentType(ContentType.JSON)
                .body(Map.of("public_key", owner.publicKey(), "private_key", owner.privateKey()))
                .post("/users/api-key-login/").then().statusCode(401).body("error", equalTo(disabled));
        given().contentType(ContentType.JSON).body(Map.of("refresh_token", owner.refreshToken()))
                .post("/users/token/refresh/").then().statusCode(401).body("error", equalTo(disabled));
    }
}
