package org.hotspotbilling.tenant;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.notNullValue;

/**
 * Password guessing is slowed per username and per caller address, key-pair logins per public key and per
 * address: 429 with Retry-After, before any credential is checked. Sizes: application.properties (the per-address
 * limit is smaller in the test profile's reach, the others are the defaults).
 */
@QuarkusTest
class LoginRateLimitTest {

    private static RequestSpecification from(String address) {
        return given().contentType(ContentType.JSON).header("X-Forwarded-For", address);
    }

    @Test
    void aUsernameGetsTenAttemptsRightOrWrongThen429EvenWithTheRightPassword() {
        TestOwner owner = Owners.register(); // one login already
        for (int i = 0; i < 9; i++) {
            from(Owners.randomAddress()).body(Map.of("username", owner.username(), "password", "wrong password"))
                    .post("/users/login/").then().statusCode(401);
        }
        from(Owners.randomAddress()).body(Map.of("username", owner.username().toUpperCase(), "password",
                        Owners.PASSWORD))
                .post("/users/login/").then().statusCode(429).header("Retry-After", notNullValue())
                .body("error", containsString("Too many requests"));
        Owners.register(); // another account is not affected
    }

    @Test
    void anAddressGetsItsQuotaOfLoginsAcrossUsernamesAndKeyPairs() {
        String address = "203.0.113." + java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 255);
        TestOwner owner = Owners.register();
        for (int i = 0; i < 30; i++) {
            from(address).body(Map.of("username", "nobody_" + i, "password", "whatever"))
                    .post("/users/login/").then().statusCode(401);
            from(address).body(Map.of("public_key", owner.publicKey(), "private_key", "0".repeat(64)))
                    .post("/users/api-key-login/").then().statusCode(401);
        }
        from(address).body(Map.of("username", owner.username(), "password", Owners.PASSWORD))
                .post("/users/login/").then().statusCode(429).header("Retry-After", notNullValue());
        from(Owners.randomAddress()).body(Map.of("username", owner.username(), "password", Owners.PASSWORD))
                .post("/users/login/").then().statusCode(200);
    }

    @Test
    void aPublicKeyGetsItsQuotaOfKeyPairLogins() {
        TestOwner owner = Owners.register();
        for (int i = 0; i < 30; i++) {
            from(Owners.randomAddress()).body(Map.of("public_key", owner.publicKey(), "private_key",
                    owner.privateKey())).post("/users/api-key-login/").then().statusCode(200);
        }
        from(Owners.randomAddress()).body(Map.of("public_key", owner.publicKey(), "private_key", owner.privateKey()))
                .post("/users/api-key-login/").then().statusCode(429).header("Retry-After", notNullValue());
    }
}
