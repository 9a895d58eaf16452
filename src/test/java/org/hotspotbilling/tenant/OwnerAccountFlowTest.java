package org.hotspotbilling.tenant;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class OwnerAccountFlowTest {

    @Inject
    Db db;

    @Test
    void registerThenLoginThenReadProfile() {
        String username = "kamau_" + UUID.randomUUID().toString().substring(0, 8);
        JsonPath registered = given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "email", username + "@isp.example", "password", "s3cret-pass"))
                .post("/users/register/")
                .then().statusCode(201)
                .body("message", equalTo("User registered successfully"))
                .body("api_key.public_key", matchesPattern("[0-9a-f]{32}"))
                .body("api_key.private_key", matchesPattern("[0-9a-f]{64}"))
                .extract().jsonPath();
        long userId = registered.getLong("user_id");

        JsonPath tokens = Owners.login(username, "s3cret-pass");
        assertEquals(userId, tokens.getLong("user_id"));
        assertEquals("Bearer", tokens.getString("token_type"));
        assertNotEquals(tokens.getString("access_token"), tokens.getString("refresh_token"));

        given().header("Authorization", "Bearer " + tokens.getString("access_token"))
                .get("/users/profile/")
                .then().statusCode(200)
                .body("id", equalTo((int) userId))
                .body("username", equalTo(username))
                .body("email", equalTo(username + "@isp.example"))
                .body("is_active", equalTo(true))
                .body("password_hash", nullValue())
                .body("created_at", notNullValue());
    }

    @Test
    void passwordIsStoredAsBcryptAndPrivateKeyOnlyAsHash() {
        TestOwner owner = Owners.register();
        String passwordHash = db.queryString("SELECT password_hash FROM owner_account WHERE id = ?", owner.id());
        assertTrue(passwordHash.startsWith("$2"), "bcrypt modular crypt format expected, got " + passwordHash);
        assertTrue(!passwordHash.contains(Owners.PASSWORD));
        long plaintextCopies = db.queryLong("SELECT count(*) FROM api_key WHERE private_key_sha256 = ? OR public_key = ?",
                owner.privateKey(), owner.privateKey());
        assertEquals(0, plaintextCopies, "the private key must not be stored in plaintext");
    }

    @Test
    void pathsWorkWithAndWithoutTrailingSlash() {
        TestOwner owner = Owners.register();
        owner.withJwt().get("/users/profile").then().statusCode(200);
        owner.withJwt().get("/users/profile/").then().statusCode(200);
        given().contentType(ContentType.JSON).body(Map.of("username", owner.username(), "password", Owners.PASSWORD))
                .post("/users/login").then().statusCode(200);
    }

    @Test
    void duplicateUsernameOrEmailIsRefusedWhateverTheCase() {
        TestOwner owner = Owners.register();
        long before = db.count("owner_account");
        given().contentType(ContentType.JSON)
                .body(Map.of("username", owner.username().toUpperCase(), "email", "other-" + owner.email(),
                        "password", "another-pass"))
                .post("/users/register/")
                .then().statusCode(400).body("error", equalTo("A user with that username already exists."));
        given().contentType(ContentType.JSON)
                .body(Map.of("username", "other_" + owner.username(), "email", owner.email().toUpperCase(),
                        "password", "another-pass"))
                .post("/users/register/")
                .then().statusCode(400).body("error", equalTo("A user with that email already exists."));
        assertEquals(before, db.count("owner_account"));
    }

    @Test
    void concurrentRegistrationsOfOneUsernameCreateExactlyOneAccount() throws Exception {
        String username = "race_" + UUID.randomUUID().toString().substring(0, 8);
        int attempts = 8;
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                String email = username + "-" + i + "@isp.example";
                Callable<Integer> call = () -> given().contentType(ContentType.JSON)
                        .body(Map.of("username", username, "email", email, "password", "race-pass-1"))
                        .post("/users/register/").statusCode();
                statuses.add(pool.submit(call));
            }
            int created = 0;
            for (Future<Integer> status : statuses) {
                int code = status.get();
                assertTrue(code == 201 || code == 400, "unexpected status " + code);
                created += code == 201 ? 1 : 0;
            }
            assertEquals(1, created);
            assertEquals(1, db.queryLong("SELECT count(*) FROM owner_account WHERE username = ?", username));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void wrongPasswordAndUnknownUserGetTheSameAnswer() {
        TestOwner owner = Owners.register();
        given().contentType(ContentType.JSON).body(Map.of("username", owner.username(), "password", "wrong-password"))
                .post("/users/login/").then().statusCode(401).body("error", equalTo("Invalid credentials"));
        given().contentType(ContentType.JSON).body(Map.of("username", "nobody_" + owner.username(), "password", "x"))
                .post("/users/login/").then().statusCode(401).body("error", equalTo("Invalid credentials"));
    }

    @Test
    void refreshTokenYieldsNewWorkingTokensButOpensNoEndpointItself() {
        TestOwner owner = Owners.register();
        String newAccess = given().contentType(ContentType.JSON).body(Map.of("refresh_token", owner.refreshToken()))
                .post("/users/token/refresh/")
                .then().statusCode(200).body("refresh_token", notNullValue())
                .extract().path("access_token");
        given().header("Authorization", "Bearer " + newAccess).get("/users/profile/").then().statusCode(200);
        // simplejwt's field name works too
        given().contentType(ContentType.JSON).body(Map.of("refresh", owner.refreshToken()))
                .post("/users/token/refresh/").then().statusCode(200);

        given().header("Authorization", "Bearer " + owner.refreshToken()).get("/users/profile/")
                .then().statusCode(401).body("error", notNullValue());
        given().contentType(ContentType.JSON).body(Map.of("refresh_token", owner.accessToken()))
                .post("/users/token/refresh/")
                .then().statusCode(401).body("error", equalTo("Token is not a refresh token"));
        given().contentType(ContentType.JSON).body(Map.of("refresh_token", "not.a.jwt"))
                .post("/users/token/refresh/")
                .then().statusCode(401).body("error", equalTo("Token is invalid or expired"));
    }

    @Test
    void profilePatchChangesOnlyGivenFieldsAndRefusesATakenEmail() {
        TestOwner owner = Owners.register();
        TestOwner other = Owners.register();
        owner.withJwt().body(Map.of("bio", "Hotspots in Kisumu", "website", "https://wifi.example"))
                .patch("/users/profile/")
                .then().statusCode(200)
                .body("message", equalTo("Profile updated successfully"))
                .body("profile.bio", equalTo("Hotspots in Kisumu"))
                .body("profile.website", equalTo("https://wifi.example"))
                .body("profile.email", equalTo(owner.email()));

        owner.withJwt().body(Map.of("email", other.email())).patch("/users/profile/")
                .then().statusCode(400).body("error", equalTo("A user with that email already exists."));
        owner.withJwt().body(Map.of("website", "javascript:alert(1)")).patch("/users/profile/")
                .then().statusCode(400).body("fields.website", notNullValue());
        owner.withJwt().get("/users/profile/").then()
                .body("email", equalTo(owner.email()))
                .body("website", equalTo("https://wifi.example"));
    }
}
