package org.hotspotbilling.portal;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /portal/{router}/?key=…: the captive page filled in for a router of the key's owner, and nothing else. */
@QuarkusTest
class CaptivePortalTest {

    private static final Pattern SCRIPT_NONCE = Pattern.compile("<script nonce=\"([0-9a-f]{32})\">");

    @Inject
    Db db;

    private static String portal(long routerId) {
        return "/portal/" + routerId + "/";
    }

    @Test
    void servesThePageFilledInForTheRouterKeepingTheRoutersVariables() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        String html = given().queryParam("key", owner.publicKey()).get(portal(router)).then().statusCode(200)
                .contentType("text/html;charset=utf-8")
                .header("Cache-Control", "no-store")
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .extract().asString();
        assertTrue(html.contains("api: \"http://localhost:" + RestAssured.port + "\","), html);
        assertTrue(html.contains("routerId: \"" + router + "\","));
        assertTrue(html.contains("publicKey: \"" + owner.publicKey() + "\","));
        // Without device values this is the file to install on the router: RouterOS fills these in.
        assertTrue(html.contains("mac: \"$(mac)\","));
        assertTrue(html.contains("loginUrl: \"$(link-login-only)\","));
        assertTrue(html.contains("origUrl: \"$(link-orig-esc)\""));
    }

    @Test
    void theContentSecurityPolicyAllowsOnlyThisAnswersInlineCodeAndCallsToTheApi() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        ExtractableResponse<Response> first = given().queryParam("key", owner.publicKey()).get(portal(router))
                .then().statusCode(200).extract();
        Matcher script = SCRIPT_NONCE.matcher(first.asString());
        assertTrue(script.find());
        String nonce = script.group(1);
        assertTrue(first.asString().contains("<style nonce=\"" + nonce + "\">"));
        assertEquals("default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'nonce-" + nonce + "'; "
                + "connect-src http://localhost:" + RestAssured.port + "; img-src data:; base-uri 'none'; "
                + "frame-ancestors 'none'", first.header("Content-Security-Policy"));

        String second = given().queryParam("key", owner.publicKey()).get(portal(router)).asString();
        Matcher again = SCRIPT_NONCE.matcher(second);
        assertTrue(again.find());
        assertNotEquals(nonce, again.group(1));
    }

    @Test
    void theDeviceValuesInTheQueryReplaceTheRoutersVariables() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        String html = given().queryParam("key", owner.publicKey().toUpperCase())
                .queryParam("mac", "02-1a-2b-3c-4d-5e").queryParam("ip", "10.5.50.23")
                .queryParam("link-login-only", "http://10.5.50.1/login")
                .queryParam("link-orig", "http://example.com/news?a=1&b=2")
                .get("/portal/" + router).then().statusCode(200).extract().asString();
        assertTrue(html.contains("publicKey: \"" + owner.publicKey() + "\","));
        assertTrue(html.contains("mac: \"02:1A:2B:3C:4D:5E\","));
        assertTrue(html.contains("ip: \"10.5.50.23\","));
        assertTrue(html.contains("loginUrl: \"http://10.5.50.1/login\","));
        assertTrue(html.contains("origUrl: \"http%3A%2F%2Fexample.com%2Fnews%3Fa%3D1%26b%3D2\""));
        assertFalse(html.contains("$("), "no router variable is left for a page that runs outside a router");
    }

    @Test
    void aValueCannotSmuggleInARouterVariableOrEndItsString() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        String html = given().queryParam("key", owner.publicKey())
                .queryParam("link-login-only", "http://10.5.50.1/login?x=$(mac)'")
                .get(portal(router)).then().statusCode(200).extract().asString();
        assertTrue(html.contains("loginUrl: \"http://10.5.50.1/login?x=\\u0024\\u0028mac\\u0029\\u0027\","), html);
    }

    @ParameterizedTest(name = "key={0} → {1}")
    @CsvSource(delimiter = '|', value = {
            "              | The owner's public key is required: ?key=<32-character hexadecimal key>",
            "'   '         | The owner's public key is required: ?key=<32-character hexadecimal key>",
            "xyz           | Invalid public API key format. The public key should be a 32-character hexadecimal string.",
            "0123456789abcdef0123456789abcde | Invalid public API key format. The public key should be a 32-character hexadecimal string.",
            "0123456789abcdef0123456789abcdeg | Invalid public API key format. The public key should be a 32-character hexadecimal string.",
            "0123456789abcdef0123456789abcdef | Invalid public API key. The provided key does not exist in our system." })
    void aMissingMalformedOrUnknownKeyIs401(String key, String message) {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        var request = given();
        if (key != null) {
            request.queryParam("key", key);
        }
        request.get(portal(router)).then().statusCode(401).contentType("application/json")
                .body("error", equalTo(message));
    }

    @Test
    void aDisabledOwnersKeyIs401() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        db.update("UPDATE owner_account SET is_active = false WHERE id = ?", owner.id());
        given().queryParam("key", owner.publicKey()).get(portal(router)).then().statusCode(401)
                .body("error", equalTo(CaptivePage.DISABLED));
    }

    @Test
    void anotherOwnersRouterOrNoRouterIs404() {
        TestOwner owner = Owners.register();
        TestOwner other = Owners.register();
        long theirs = Fixtures.router(other);
        given().queryParam("key", owner.publicKey()).get(portal(theirs)).then().statusCode(404)
                .contentType("application/json").body("error", equalTo("Router not found or access denied"));
        given().queryParam("key", owner.publicKey()).get(portal(Long.MAX_VALUE / 10)).then().statusCode(404)
                .body("error", equalTo("Router not found or access denied"));
        given().queryParam("key", owner.publicKey()).get("/portal/abc/").then().statusCode(404)
                .contentType("application/json").body("error", notNullValue());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "mac             | zz:zz:zz:zz:zz:zz",
            "mac             | 01:00:5E:00:00:01",
            "mac             | 02:1A:2B:3C:4D",
            "ip              | 10.5.50.999",
            "ip              | router.local",
            "link-login-only | javascript:alert(1)",
            "link-login-only | /login",
            "link-login-only | http://10.5.50.1/login\"><script>alert(1)</script>",
            "link-orig       | ftp://example.com/",
            "link-orig       | http:///nohost" })
    void aDeviceValueAHotspotWouldNotSendIs400(String name, String value) {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        given().queryParam("key", owner.publicKey()).queryParam(name, value).get(portal(router)).then()
                .statusCode(400).contentType("application/json")
                .body("error", containsString(name))
                .body("fields", hasKey(name));
    }

    @Test
    void everyBadDeviceValueIsNamedAtOnceAndAnOverlongUrlIsRefused() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        given().queryParam("key", owner.publicKey()).queryParam("mac", "nope").queryParam("ip", "nope")
                .queryParam("link-login-only", "http://10.5.50.1/" + "a".repeat(2100))
                .get(portal(router)).then().statusCode(400)
                .body("fields", equalTo(Map.of("ip", "Use an IPv4 or IPv6 address.",
                        "link-login-only", "Use the hotspot's http(s) login URL.",
                        "mac", "Use AA:BB:CC:DD:EE:FF (a device's address).")))
                .body("fields", not(hasKey("link-orig")));
    }

    @Test
    void theServedPageIsTheFileInMikrotikScripts() throws IOException {
        String file = Files.readString(Path.of("mikrotik-scripts", "login.html"));
        try (InputStream served = getClass().getClassLoader().getResourceAsStream(CaptivePage.TEMPLATE)) {
            assertEquals(file, new String(served.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void thePageUsesRouterVariablesOnlyInItsSettings() throws IOException {
        // RouterOS replaces every dollar-parenthesis sequence in the file, code and comments included.
        Pattern setting = Pattern.compile("\\s*(mac|ip|loginUrl|origUrl): \"\\$\\([a-z-]+\\)\",?");
        for (String line : Files.readAllLines(Path.of("mikrotik-scripts", "login.html"))) {
            if (line.contains("$(")) {
                assertTrue(setting.matcher(line).matches(), line);
            }
        }
    }

    @Test
    void theOpenApiDocumentListsThePortalPage() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/portal/{routerId}'.get.responses.'200'.content", hasKey("text/html"))
                .body("paths.'/portal/{routerId}'.get.parameters.name", hasItems("key", "mac",
                        "ip", "link-login-only", "link-orig"));
    }
}
