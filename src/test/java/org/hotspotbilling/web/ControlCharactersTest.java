package org.hotspotbilling.web;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Text PostgreSQL cannot store (NUL) and other control characters are a 400 on every endpoint, body or URL,
 * and nothing is written; tab and newline stay allowed in free text.
 */
@QuarkusTest
class ControlCharactersTest {

    @Inject
    Db db;

    @ParameterizedTest(name = "username with {0}")
    @ValueSource(strings = { "\\u0000", "\\u0001", "\\u001b", "\\u007f", "\\u0085", "\\ud800" })
    void loginWithAControlCharacterInTheUsernameIs400NotA500(String escape) {
        given().contentType(ContentType.JSON).body("{\"username\":\"kamau" + escape + "\",\"password\":\"x\"}")
                .post("/users/login/").then().statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo("Invalid value for 'username': must not contain control characters (such "
                        + "as NUL)"))
                .body("fields.username", containsString("control characters"));
    }

    @Test
    void everyBodyFieldIsGuardedAndNothingIsWritten() {
        long owners = db.count("owner_account");
        given().contentType(ContentType.JSON).body("{\"username\":\"nul_owner\",\"email\":\"nul@isp.example\","
                + "\"password\":\"long enough\\u0000\"}").post("/users/register/").then().statusCode(400)
                .body("fields.password", containsString("control characters"));
        assertEquals(owners, db.count("owner_account"));

        given().contentType(ContentType.JSON).body("{\"public_key\":\"\\u0000\",\"private_key\":\"x\"}")
                .post("/users/api-key-login/").then().statusCode(400).body("fields.public_key", containsString("NUL"));

        var owner = Owners.register();
        long routers = db.count("router");
        owner.withJwt().body("{\"name\":\"Bad\\u0000name\",\"host\":\"192.0.2.1\",\"username\":\"u\"}")
                .post("/routers/").then().statusCode(400).body("fields.name", containsString("control characters"));
        assertEquals(routers, db.count("router"));

        owner.withJwt().body("{\"bio\":\"line\\u0007bell\"}").patch("/users/profile/").then().statusCode(400)
                .body("fields.bio", containsString("control characters"));
    }

    @Test
    void mapKeysAndPortalPurchasesAreGuardedToo() {
        var owner = Owners.register();
        long router = Fixtures.router(owner);
        owner.withJwt().body("{\"command\":\"/ip/hotspot/active\",\"params\":{\"us\\u0000er\":\"x\"}}")
                .post("/routers/" + router + "/execute-command/").then().statusCode(400)
                .body("error", containsString("control characters"));

        Shop shop = Shop.simulated();
        long payments = db.count("payment");
        shop.owner().asPortal().body("{\"router_id\":" + shop.routerId() + ",\"package_id\":" + shop.planId()
                        + ",\"phone_number\":\"07\\u00001234567\",\"amount\":\"20.00\",\"mac_address\":\""
                        + Shop.randomMac() + "\"}")
                .post("/payments/intasend/initiate/").then().statusCode(400)
                .body("fields.phone_number", containsString("control characters"));
        assertEquals(payments, db.count("payment"));
    }

    @Test
    void tabsAndNewlinesStayAllowedInFreeText() {
        var owner = Owners.register();
        long router = Fixtures.router(owner);
        long plan = Fixtures.plan(owner, router, Map.of("description", "Fast\tand\r\nsteady"));
        owner.withJwt().get("/routers/packages/" + plan + "/").then().statusCode(200)
                .body("description", equalTo("Fast\tand\r\nsteady"));
        owner.withJwt().body("{\"bio\":\"two\\nlines and a \\u00e9 and an emoji \\ud83d\\ude00\"}")
                .patch("/users/profile/").then().statusCode(200);
    }

    @ParameterizedTest(name = "URL {0}")
    @ValueSource(strings = { "/payments/?phone=07%0012345678", "/payments/?status=%01completed",
            "/routers/packages/?router=%00", "/payments/%C2%85/", "/users/login/%00" })
    void controlCharactersInTheUrlAre400BeforeAnyResource(String url) {
        var owner = Owners.register();
        owner.withJwt().urlEncodingEnabled(false).get(url).then().statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo("The URL must not contain control characters (such as NUL)."));
    }
}
