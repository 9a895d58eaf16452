package org.hotspotbilling.web;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Owners;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every failure answers JSON {"error": ...}, whichever layer produces it, and never leaks internals. */
@QuarkusTest
class ErrorShapeTest {

    @TestHTTPResource("/users/register/")
    URI register;

    @Inject
    Db db;

    @Test
    void unknownPathIsA404Json() {
        given().get("/no/such/path/").then().statusCode(404).contentType(ContentType.JSON)
                .body("error", equalTo("Not found."));
    }

    @Test
    void wrongMethodIsA405Json() {
        given().delete("/users/login/").then().statusCode(405).contentType(ContentType.JSON)
                .body("error", containsString("Method not allowed"));
    }

    @Test
    void declaredOversizedBodyIsA413JsonAndWritesNothing() {
        long owners = db.count("owner_account");
        String body = "{\"username\":\"big\",\"email\":\"big@isp.example\",\"password\":\"long-enough\",\"bio\":\""
                + "x".repeat(70 * 1024) + "\"}";
        given().contentType(ContentType.JSON).body(body).post("/users/register/")
                .then().statusCode(413).contentType(ContentType.JSON)
                .body("error", containsString("Request body too large"));
        assertEquals(owners, db.count("owner_account"));
    }

    @Test
    void chunkedOversizedBodyIsRefusedWithJsonAndWritesNothing() throws Exception {
        long owners = db.count("owner_account");
        byte[] body = ("{\"username\":\"chunky\",\"email\":\"chunky@isp.example\",\"password\":\"long-enough\","
                + "\"bio\":\"" + "x".repeat(70 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(register)
                .header("Content-Type", "application/json")
                // an InputStream publisher has no length, so the body goes chunked
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(413, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"error\""), response.body());
        assertEquals(owners, db.count("owner_account"));
    }

    @Test
    void bodyJustUnderTheLimitIsRead() {
        // a 60 KiB password is read (not refused for size) and then refused by validation
        String body = "{\"username\":\"fits\",\"email\":\"fits@isp.example\",\"password\":\"" + "p".repeat(60 * 1024)
                + "\"}";
        given().contentType(ContentType.JSON).body(body).post("/users/register/")
                .then().statusCode(400).body("fields.password", notNullValue());
    }

    @Test
    void failuresCarryNoStackTraceOrClassNames() {
        String body = given().contentType(ContentType.JSON).body("{\"username\": [1, {\"x\": }]}")
                .post("/users/login/").then().statusCode(400).extract().asString();
        assertTrue(!body.contains("at org.") && !body.contains("com.fasterxml") && !body.contains("Exception"), body);
    }

    @Test
    void unsupportedAcceptIsA406Json() {
        Owners.TestOwner owner = Owners.register();
        owner.withJwt().accept("application/xml").get("/users/profile/")
                .then().statusCode(406).body(containsString("\"error\""));
    }
}
