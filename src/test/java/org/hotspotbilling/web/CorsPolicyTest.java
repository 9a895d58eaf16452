package org.hotspotbilling.web;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * Captive pages (any origin, no credentials) reach the portal endpoints and read every answer, errors included;
 * owner endpoints are open only to the dashboard configured for the tests ({@code %test.hotspot.cors.owner-origins}).
 */
@QuarkusTest
class CorsPolicyTest {

    private static final String CAPTIVE_PAGE = "http://192.168.88.1";
    private static final String DASHBOARD = "https://dashboard.isp.example";
    private static final String STRANGER = "https://phish.example";

    @ParameterizedTest
    @ValueSource(strings = { "/routers/7/packages/", "/routers/7/packages",
            "/payments/intasend/initiate/", "/payments/intasend/initiate",
            "/payments/intasend/0b6f7c1e-3d0a-4c55-9a41-1f2d3e4c5b6a/check-status/",
            "/payments/intasend/0b6f7c1e-3d0a-4c55-9a41-1f2d3e4c5b6a/check-status",
            "/payments/intasend/create-link/", "/payments/intasend/create-link",
            "/payments/initiate/", "/payments/initiate", "/payments/create-link/",
            "/payments/0b6f7c1e-3d0a-4c55-9a41-1f2d3e4c5b6a/check-status/" })
    void portalPreflightAllowsAnyOriginWithoutCredentialsOrAuthentication(String path) {
        given().header("Origin", CAPTIVE_PAGE)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type,x-public-key")
                .options(path)
                .then().statusCode(anyOf(equalTo(200), equalTo(204)))
                .header("Access-Control-Allow-Origin", "*")
                .header("Access-Control-Allow-Credentials", nullValue())
                .header("Access-Control-Allow-Methods", allOf(containsString("GET"), containsString("POST"),
                        containsString("OPTIONS")))
                .header("Access-Control-Allow-Headers", allOf(containsString("Content-Type"),
                        containsString("X-Public-Key"), containsString("Idempotency-Key"),
                        containsString("Authorization")))
                .header("Access-Control-Max-Age", "86400");
    }

    @Test
    void captivePageReadsThePackagesWithAWildcardOrigin() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        Fixtures.plan(owner, router, "20.00");
        owner.asPortal().header("Origin", CAPTIVE_PAGE).get("/routers/" + router + "/packages/")
                .then().statusCode(200)
                .header("Access-Control-Allow-Origin", "*")
                .header("Access-Control-Allow-Credentials", nullValue())
                .header("Access-Control-Expose-Headers", containsString("Retry-After"));
    }

    @Test
    void portalErrorsCarryTheHeaderSoThePageCanShowTheMessage() {
        TestOwner owner = Owners.register();
        fromCaptivePage().header("X-Public-Key", "not-a-key").get("/routers/1/packages/")
                .then().statusCode(401).body("error", notNullValue())
                .header("Access-Control-Allow-Origin", "*");
        owner.asPortal().header("Origin", CAPTIVE_PAGE).get("/routers/999999999/packages/")
                .then().statusCode(404).body("error", notNullValue())
                .header("Access-Control-Allow-Origin", "*");
        // ended by the body limit, which runs before any resource
        fromCaptivePage().contentType(ContentType.JSON).body("{\"phone\":\"" + "7".repeat(70 * 1024) + "\"}")
                .post("/payments/intasend/initiate/")
                .then().statusCode(413).body("error", notNullValue())
                .header("Access-Control-Allow-Origin", "*");
    }

    @Test
    void ownerEndpointGivesAnUnlistedOriginNoAllowHeaders() {
        TestOwner owner = Owners.register();
        owner.withJwt().header("Origin", STRANGER).get("/users/profile/")
                .then().statusCode(200)
                .header("Access-Control-Allow-Origin", nullValue())
                .header("Access-Control-Allow-Credentials", nullValue());
    }

    @Test
    void ownerEndpointAllowsTheConfiguredDashboardWithCredentials() {
        TestOwner owner = Owners.register();
        owner.withJwt().header("Origin", DASHBOARD).get("/users/profile/")
                .then().statusCode(200)
                .header("Access-Control-Allow-Origin", DASHBOARD)
                .header("Access-Control-Allow-Credentials", "true")
                .header("Vary", containsString("Origin"));
    }

    @Test
    void ownerPreflightFromAnUnlistedOriginGetsNoAllowHeaders() {
        preflight(STRANGER, "/users/profile/", "PATCH")
                .statusCode(403).contentType(ContentType.JSON).body("error", notNullValue())
                .header("Access-Control-Allow-Origin", nullValue())
                .header("Access-Control-Allow-Methods", nullValue())
                .header("Access-Control-Allow-Headers", nullValue())
                .header("Access-Control-Allow-Credentials", nullValue());
    }

    @Test
    void ownerPreflightFromTheConfiguredDashboardAllowsCredentials() {
        preflight(DASHBOARD, "/users/profile/", "PATCH")
                .statusCode(anyOf(equalTo(200), equalTo(204)))
                .header("Access-Control-Allow-Origin", DASHBOARD)
                .header("Access-Control-Allow-Credentials", "true")
                .header("Access-Control-Allow-Methods", containsString("PATCH"))
                .header("Access-Control-Allow-Headers", allOf(containsString("Authorization"),
                        containsString("X-API-Key"), containsString("X-Private-Key")))
                .header("Vary", containsString("Origin"));
    }

    private static RequestSpecification fromCaptivePage() {
        return given().header("Origin", CAPTIVE_PAGE);
    }

    private static ValidatableResponse preflight(String origin, String path, String method) {
        return given().header("Origin", origin)
                .header("Access-Control-Request-Method", method)
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .options(path).then();
    }
}
