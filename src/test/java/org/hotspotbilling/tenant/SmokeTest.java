package org.hotspotbilling.tenant;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;

@QuarkusTest
class SmokeTest {
    @Test
    void registerLoginProfile() {
        given().contentType("application/json").body("{\"username\":\"alice\",\"email\":\"a@x.io\",\"password\":\"secret123\"}")
                .post("/users/register/").then().log().all();
        given().contentType("application/json").body("{\"username\":\"alice\",\"password\":\"secret123\"}")
                .post("/users/login").then().log().all();
        given().get("/nope").then().log().all();
        given().contentType("application/json").body("{bad").post("/users/register").then().log().all();
        given().contentType("application/json").body("{\"username\":1,\"email\":\"a@x.io\",\"password\":\"secret123\"}").post("/users/register").then().log().all();
        given().contentType("application/json").body("{\"username\":\"x\",\"email\":\"a@x.io\",\"password\":\"s\"" + " ".repeat(70000) + "}").post("/users/register").then().log().all();
        given().header("X-Public-Key", "zz").get("/users/profile").then().log().all();
        given().get("/users/profile").then().log().all();
        given().get("/q/health").then().log().all();
    }
}
