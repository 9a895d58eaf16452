package org.hotspotbilling.tenant;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.UUID;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bad input to register and login: a clear 400 with {"error"} (and the field where one is at fault), nothing written. */
@QuarkusTest
class AccountInputValidationTest {

    @Inject
    Db db;

    static Stream<Arguments> badRegistrations() {
        String u = "\"username\":\"val_" + UUID.randomUUID().toString().substring(0, 8) + "\"";
        String e = "\"email\":\"v@isp.example\"";
        String p = "\"password\":\"long-enough\"";
        return Stream.of(
                Arguments.of("missing username", "{" + e + "," + p + "}", "username"),
                Arguments.of("missing email", "{" + u + "," + p + "}", "email"),
                Arguments.of("missing password", "{" + u + "," + e + "}", "password"),
                Arguments.of("blank username", "{\"username\":\"   \"," + e + "," + p + "}", "username"),
                Arguments.of("username is a number", "{\"username\":123," + e + "," + p + "}", "username"),
                Arguments.of("username is an object", "{\"username\":{\"a\":1}," + e + "," + p + "}", "username"),
                Arguments.of("username is a list", "{\"username\":[\"a\"]," + e + "," + p + "}", "username"),
                Arguments.of("password is a boolean", "{" + u + "," + e + ",\"password\":true}", "password"),
                Arguments.of("email is a number", "{" + u + ",\"email\":42," + p + "}", "email"),
                Arguments.of("email without @", "{" + u + ",\"email\":\"isp.example\"," + p + "}", "email"),
                Arguments.of("email without domain dot", "{" + u + ",\"email\":\"a@b\"," + p + "}", "email"),
                Arguments.of("username of 151 chars", "{\"username\":\"" + "a".repeat(151) + "\"," + e + "," + p + "}",
                        "username"),
                Arguments.of("email of 255 chars", "{" + u + ",\"email\":\"" + "a".repeat(243) + "@isp.example\"," + p
                        + "}", "email"),
                Arguments.of("password of 7 chars", "{" + u + "," + e + ",\"password\":\"1234567\"}", "password"),
                Arguments.of("password of 129 chars", "{" + u + "," + e + ",\"password\":\"" + "p".repeat(129) + "\"}",
                        "password"),
                Arguments.of("password over bcrypt's 72 bytes", "{" + u + "," + e + ",\"password\":\""
                        + "€".repeat(25) + "\"}", "password"),
                Arguments.of("username with a space", "{\"username\":\"two words\"," + e + "," + p + "}", "username"),
                Arguments.of("username with an emoji", "{\"username\":\"wifi😀\"," + e + "," + p + "}", "username"),
                Arguments.of("username with a NUL", "{\"username\":\"a\\u0000b\"," + e + "," + p + "}", "username"),
                Arguments.of("email with a NUL", "{" + u + ",\"email\":\"a\\u0000@isp.example\"," + p + "}", "email"),
                Arguments.of("empty body", "", null),
                Arguments.of("JSON null", "null", null),
                Arguments.of("JSON list", "[]", null),
                Arguments.of("JSON string", "\"alice\"", null),
                Arguments.of("malformed JSON", "{" + u + ",", null),
                Arguments.of("duplicated key", "{" + u + "," + u + "," + e + "," + p + "}", null),
                Arguments.of("trailing garbage", "{" + u + "," + e + "," + p + "} x", null));
    }

    @ParameterizedTest(name = "register refuses {0}")
    @MethodSource("badRegistrations")
    void registerRefusesBadInputAndWritesNothing(String name, String body, String field) {
        long owners = db.count("owner_account");
        long keys = db.count("api_key");
        ValidatableResponse response = given().contentType(ContentType.JSON).body(body)
                .post("/users/register/")
                .then().statusCode(400)
                .contentType(ContentType.JSON)
                .body("error", notNullValue())
                .body("error", not(containsString("Exception")));
        if (field != null) {
            response.body("fields." + field, notNullValue());
        }
        assertEquals(owners, db.count("owner_account"), name);
        assertEquals(keys, db.count("api_key"), name);
    }

    @Test
    void registerAcceptsUnicodeLettersInUsername() {
        String username = "wanjikū_" + UUID.randomUUID().toString().substring(0, 6);
        given().contentType(ContentType.JSON)
                .body("{\"username\":\"" + username + "\",\"email\":\"" + UUID.randomUUID() + "@isp.example\","
                        + "\"password\":\"pässwörd-ñ\"}")
                .post("/users/register/").then().statusCode(201);
        given().contentType(ContentType.JSON)
                .body("{\"username\":\"" + username + "\",\"password\":\"pässwörd-ñ\"}")
                .post("/users/login/").then().statusCode(200).body("username", equalTo(username));
    }

    @Test
    void registerRefusesNonJsonContentType() {
        long owners = db.count("owner_account");
        given().contentType(ContentType.TEXT).body("username=a&password=b")
                .post("/users/register/")
                .then().statusCode(415).contentType(ContentType.JSON).body("error", notNullValue());
        assertEquals(owners, db.count("owner_account"));
    }

    static Stream<Arguments> badLogins() {
        return Stream.of(
                Arguments.of("missing username", "{\"password\":\"x\"}", "Username and password are required"),
                Arguments.of("missing password", "{\"username\":\"x\"}", "Username and password are required"),
                Arguments.of("empty strings", "{\"username\":\"\",\"password\":\"\"}",
                        "Username and password are required"),
                Arguments.of("empty body", "", "Username and password are required"),
                Arguments.of("username of 151 chars", "{\"username\":\"" + "a".repeat(151) + "\",\"password\":\"x\"}",
                        "Username or password is too long"),
                Arguments.of("username is a number", "{\"username\":5,\"password\":\"x\"}",
                        "Invalid value for 'username': expected a string"),
                Arguments.of("password is an object", "{\"username\":\"a\",\"password\":{}}",
                        "Invalid value for 'password': expected a string"),
                Arguments.of("JSON list", "[1,2]", "Request body must be an object"));
    }

    @ParameterizedTest(name = "login refuses {0}")
    @MethodSource("badLogins")
    void loginRefusesBadInput(String name, String body, String error) {
        given().contentType(ContentType.JSON).body(body)
                .post("/users/login/")
                .then().statusCode(400).contentType(ContentType.JSON).body("error", equalTo(error));
    }

    @Test
    void loginWithMalformedJsonIsA400() {
        given().contentType(ContentType.JSON).body("{\"username\": \"a\", ")
                .post("/users/login/")
                .then().statusCode(400).body("error", containsString("Malformed JSON"));
    }
}
