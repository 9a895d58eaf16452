package org.hotspotbilling.tenant;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

@QuarkusTest
class ApiKeyManagementTest {

    private static final String PROBE = "/test-probe/whoami";

    @Inject
    Db db;

    @Test
    void apiKeysShowsThePublicKeyOnly() {
        TestOwner owner = Owners.register();
        owner.withJwt().get("/users/api-keys/").then().statusCode(200)
                .body("public_key", equalTo(owner.publicKey()))
                .body("created_at", notNullValue())
                .body("$", not(hasKey("private_key")))
                .body("$", not(hasKey("private_key_sha256")));
    }

    @Test
    void rotationInvalidatesTheOldPairEverywhere() {
        TestOwner owner = Owners.register();
        JsonPath rotated = owner.withJwt().post("/users/rotate-api-keys/")
                .then().statusCode(201)
                .body("public_key", matchesPattern("[0-9a-f]{32}"))
                .body("private_key", matchesPattern("[0-9a-f]{64}"))
                .extract().jsonPath();
        String newPublic = rotated.getString("public_key");
        String newPrivate = rotated.getString("private_key");
        assertNotEquals(owner.publicKey(), newPublic);

        owner.asPortal().get(PROBE).then().statusCode(401);
        owner.withKeyPair().get(PROBE).then().statusCode(401);
        given().contentType(ContentType.JSON)
                .body(Map.of("public_key", owner.publicKey(), "private_key", owner.privateKey()))
                .post("/users/api-key-login/").then().statusCode(401);

        given().header("X-Public-Key", newPublic).get(PROBE).then().statusCode(200);
        given().header("X-API-Key", newPublic).header("X-Private-Key", newPrivate).get(PROBE).then().statusCode(200);
        owner.withJwt().get("/users/api-keys/").then().body("public_key", equalTo(newPublic));
    }

    @Test
    void aPublicKeyInUseStopsWorkingAtOnceWhenReplaced() {
        TestOwner owner = Owners.register();
        // Used first, so this instance remembers whose key it is (ApiKeyService).
        owner.asPortal().get(PROBE).then().statusCode(200);
        String rotated = owner.withJwt().post("/users/rotate-api-keys/").then().statusCode(201)
                .extract().path("public_key");
        owner.asPortal().get(PROBE).then().statusCode(401);

        given().header("X-Public-Key", rotated).get(PROBE).then().statusCode(200);
        String custom = "0123456789abcdef" + rotated.substring(16);
        owner.withJwt().body(Map.of("public_key", custom, "private_key", "2".repeat(64)))
                .post("/users/set-custom-api-keys/").then().statusCode(201);
        given().header("X-Public-Key", rotated).get(PROBE).then().statusCode(401);
        given().header("X-Public-Key", custom).get(PROBE).then().statusCode(200)
                .body("owner_id", equalTo((int) owner.id()));
    }

    @Test
    void generateApiKeyAlsoReplacesThePair() {
        TestOwner owner = Owners.register();
        JsonPath generated = owner.withKeyPair().post("/users/generate-api-key/")
                .then().statusCode(201).body("message", equalTo("New API key generated successfully"))
                .extract().jsonPath();
        owner.asPortal().get(PROBE).then().statusCode(401);
        given().header("X-Public-Key", generated.getString("api_key.public_key")).get(PROBE).then().statusCode(200);
        assertEquals(1, db.queryLong("SELECT count(*) FROM api_key WHERE owner_id = ?", owner.id()));
    }

    @Test
    void customKeysAreNormalisedAndWork() {
        TestOwner owner = Owners.register();
        String pub = "ABCDEF0123456789" + owner.publicKey().substring(16);
        String priv = "A".repeat(32) + "0".repeat(31) + "9";
        owner.withJwt().body(Map.of("public_key", pub, "private_key", priv))
                .post("/users/set-custom-api-keys/")
                .then().statusCode(201).body("public_key", equalTo(pub.toLowerCase()));
        given().header("X-API-Key", pub.toLowerCase()).header("X-Private-Key", priv.toLowerCase()).get(PROBE)
                .then().statusCode(200).body("owner_id", equalTo((int) owner.id()));
        owner.withKeyPair().get(PROBE).then().statusCode(401);
    }

    @ParameterizedTest(name = "custom keys refused: {0}")
    @CsvSource({
            "public too short, 0123456789abcdef, 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "public not hex, 0123456789abcdef0123456789abcdeZ, 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "private too long, 0123456789abcdef0123456789abcdef, 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
            "private not hex, 0123456789abcdef0123456789abcdef, x123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" })
    void badCustomKeysAreRefusedAndTheOldPairStays(String name, String pub, String priv) {
        TestOwner owner = Owners.register();
        owner.withJwt().body(Map.of("public_key", pub, "private_key", priv))
                .post("/users/set-custom-api-keys/")
                .then().statusCode(400).body("error", notNullValue());
        owner.withKeyPair().get(PROBE).then().statusCode(200);
    }

    @Test
    void customPublicKeyOfAnotherOwnerIsRefused() {
        TestOwner owner = Owners.register();
        TestOwner other = Owners.register();
        owner.withJwt().body(Map.of("public_key", other.publicKey(), "private_key", "1".repeat(64)))
                .post("/users/set-custom-api-keys/")
                .then().statusCode(400).body("error", equalTo("This public key is already in use"));
        other.asPortal().get(PROBE).then().statusCode(200).body("owner_id", equalTo((int) other.id()));
        owner.withKeyPair().get(PROBE).then().statusCode(200);
    }

    @Test
    void customKeysWithoutBodyIsA400() {
        TestOwner owner = Owners.register();
        owner.withJwt().post("/users/set-custom-api-keys/").then().statusCode(400).body("error", notNullValue());
        owner.withJwt().body(Map.of()).post("/users/set-custom-api-keys/").then().statusCode(400)
                .body("fields.public_key", notNullValue()).body("fields.private_key", notNullValue());
    }
}
