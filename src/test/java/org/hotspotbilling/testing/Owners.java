package org.hotspotbilling.testing;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Registers owners through the public API, the way a real client does, and authenticates as them. */
public final class Owners {

    public static final String PASSWORD = "correct horse battery";

    /** A registered owner with everything the API handed out at registration and login. */
    public record TestOwner(long id, String username, String email, String publicKey, String privateKey,
            String accessToken, String refreshToken) {

        public RequestSpecification withJwt() {
            return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + accessToken);
        }

        public RequestSpecification withKeyPair() {
            return given().contentType(ContentType.JSON)
                    .header("X-API-Key", publicKey).header("X-Private-Key", privateKey);
        }

        /** The captive portal of this owner's hotspot, calling from the hotspot's public address. */
        public RequestSpecification asPortal() {
            return asPortalFrom(hotspotAddress());
        }

        /**
         * The captive portal calling from {@code address}: the tests are the app's trusted proxy, and name the
         * caller in X-Forwarded-For (application.properties, test profile).
         */
        public RequestSpecification asPortalFrom(String address) {
            return given().contentType(ContentType.JSON).header("X-Public-Key", publicKey)
                    .header("X-Forwarded-For", address);
        }

        /** Each owner's hotspot has its own public address, so per-address limits of one test touch no other. */
        public String hotspotAddress() {
            return "198.18." + ((id >> 8) & 0xFF) + "." + (id & 0xFF);
        }
    }

    private Owners() {
    }

    /** A random address in 198.19.0.0/16 (benchmarking range: nothing real lives there). */
    public static String randomAddress() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        return "198.19." + random.nextInt(256) + "." + random.nextInt(1, 255);
    }

    public static TestOwner register() {
        String username = "owner_" + UUID.randomUUID().toString().substring(0, 12);
        return register(username, username + "@isp.example");
    }

    public static TestOwner register(String username, String email) {
        JsonPath registered = given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "email", email, "password", PASSWORD))
                .post("/users/register/")
                .then().statusCode(201).extract().jsonPath();
        JsonPath tokens = login(username, PASSWORD);
        return new TestOwner(registered.getLong("user_id"), username, email,
                registered.getString("api_key.public_key"), registered.getString("api_key.private_key"),
                tokens.getString("access_token"), tokens.getString("refresh_token"));
    }

    /** Logs in from an address of its own, so per-address login limits of one test touch no other. */
    public static JsonPath login(String username, String password) {
        return given().contentType(ContentType.JSON).header("X-Forwarded-For", randomAddress())
                .body(Map.of("username", username, "password", password))
                .post("/users/login/")
                .then().statusCode(200).extract().jsonPath();
    }
}
