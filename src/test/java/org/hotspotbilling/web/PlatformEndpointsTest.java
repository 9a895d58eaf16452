package org.hotspotbilling.web;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

@QuarkusTest
class PlatformEndpointsTest {

    @Test
    void healthReportsUpWithTheDatabaseCheck() {
        given().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Database")));
    }

    @Test
    void openApiDocumentsEndpointsAndHowEachAuthenticates() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/users/register'.post", notNullValue())
                // The router poll is a plain HTTP route, described by META-INF/openapi.yaml.
                .body("paths.'/routers/{id}/authorized-macs/'.get.summary", equalTo("The router's live grants"))
                .body("paths.'/users/profile'.get.security.flatten()", hasItem(notNullValue()))
                .body("paths.'/users/profile'.get.security[0].jwt", notNullValue())
                .body("paths.'/users/profile'.get.security[1].apiKey", notNullValue())
                .body("paths.'/users/profile'.get.security[1].privateKey", notNullValue())
                .body("components.securitySchemes.jwt.scheme", equalTo("bearer"))
                .body("components.securitySchemes.publicKey.name", equalTo("X-Public-Key"))
                .body("components.securitySchemes.apiKey.name", equalTo("X-API-Key"))
                .body("components.securitySchemes.privateKey.name", equalTo("X-Private-Key"));
    }

    @Test
    void swaggerUiIsServed() {
        given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("<html"));
    }
}
