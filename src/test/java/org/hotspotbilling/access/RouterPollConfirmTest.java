package org.hotspotbilling.access;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.PollingRouter;
import org.hotspotbilling.testing.PollingRouter.Outcome;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Delivered means applied: a confirming router's grants reach on_router only through what it confirms. */
@QuarkusTest
class RouterPollConfirmTest {

    @Inject
    Db db;

    private static String token(Shop shop) {
        return shop.owner().withJwt().post("/routers/" + shop.routerId() + "/rotate-token/").then().statusCode(200)
                .extract().path("poll_token");
    }

    /** A paid device on the shop's router; answers its payment id. */
    private static String paid(Shop shop, String mac) {
        String payment = shop.paymentFor(mac);
        shop.simulate(payment, 0).statusCode(200);
        return payment;
    }

    private static String access(Shop shop, String payment) {
        return shop.checkStatus(payment).extract().path("access.state");
    }

    private static Response fetch(Shop shop, String token, String query) {
        return given().header("Authorization", "Bearer " + token)
                .get("/routers/" + shop.routerId() + "/authorized-macs/?format=text&confirms=yes" + query);
    }

    private static Response report(Shop shop, String token, String body) {
        return given().header("Authorization", "Bearer " + token).body(body)
                .post("/routers/" + shop.routerId() + "/authorized-macs/applied/");
    }

    private static String versionOf(String body) {
        String header = body.substring(0, body.indexOf('\n'));
        String rest = header.substring(header.indexOf("version=") + "version=".length());
        return rest.contains(" ") ? rest.substring(0, rest.indexOf(' ')) : rest;
    }

    @Test
    void aListFetchedByAConfirmingRouterIsNotDeliveredUntilItConfirmsIt() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        String mac = Shop.randomMac();
        String payment = paid(shop, mac);
        String version = versionOf(fetch(shop, token, "").then().statusCode(200).extract().asString());
        fetch(shop, token, "&page=1").then().statusCode(200);
        assertEquals("pending", access(shop, payment), "a fetched list proves nothing");

        report(shop, token, "version=" + version + "\nfailed=0\n").then().statusCode(200)
                .body("confirmed", equalTo(1)).body("current", equalTo(true))
                .body("current_version", equalTo(version));
        assertEquals("on_router", access(shop, payment));
    }

    @Test
    void aRouterThatAppliedTheListGetsTheDeviceOnlineAndConfirmsIt() {
        Shop shop = Shop.simulated();
        PollingRouter router = PollingRouter.ofApp(shop.routerId(), token(shop));
        String mac = Shop.randomMac();
        String payment = paid(shop, mac);

        assertEquals(Outcome.APPLIED, router.pollOnce());
        assertEquals("on_router", access(shop, payment));
        PollingRouter.User user = router.users().get(mac);
        assertEquals("2M/5M", user.rateLimit());
        assertTrue(user.limitUptimeSeconds() > 3500 && user.limitUptimeSeconds() <= 3600, user.toString());
        assertNotNull(router.version());
        assertEquals(router.version(), db.queryString("SELECT last_applied_version FROM router WHERE id = ?",
                shop.routerId()));
    }

    @Test
    void anAddTheRouterRefusedLeavesThatGrantPendingAndTheVersionForTheNextPass() {
        Shop shop = Shop.simulated();
        PollingRouter router = PollingRouter.ofApp(shop.routerId(), token(shop));
        String refused = Shop.randomMac();
        String fine = Shop.randomMac();
        String refusedPayment = paid(shop, refused);
        String finePayment = paid(shop, fine);
        router.failNextAdds(1);

        assertEquals(Outcome.APPLIED_WITH_FAILURES, router.pollOnce());
        assertNull(router.version(), "a pass with a failure keeps the version it had");
        String failedMac = router.users().containsKey(refused) ? fine : refused;
        String failedPayment = failedMac.equals(refused) ? refusedPayment : finePayment;
        String appliedPayment = failedMac.equals(refused) ? finePayment : refusedPayment;
        assertEquals("pending", access(shop, failedPayment));
        assertEquals("on_router", access(shop, appliedPayment), "one refused add must not hold back the others");
        assertEquals(1, db.queryLong("SELECT last_report_failed FROM router WHERE id = ?", shop.routerId()));
        assertTrue(db.queryString("SELECT last_report_error FROM router WHERE id = ?", shop.routerId())
                .contains("cannot add " + failedMac));

        assertEquals(Outcome.APPLIED, router.pollOnce());
        assertEquals("on_router", access(shop, failedPayment));
        assertEquals(2, router.users().size());
    }

    @Test
    void anOldVersionsConfirmationDoesNotMarkAChangeMadeAfterIt() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        String extended = Shop.randomMac();
        String first = paid(shop, extended);
        String v1 = versionOf(fetch(shop, token, "").then().statusCode(200).extract().asString());
        // After the router got v1: the same device buys again (a new form of its grant), and a new device pays.
        String second = paid(shop, extended);
        String newcomer = paid(shop, Shop.randomMac());

        report(shop, token, "version=" + v1 + "\nfailed=0\n").then().statusCode(200)
                .body("confirmed", equalTo(0)).body("current", equalTo(false));
        assertEquals("pending", access(shop, second), "v1 carried the grant's old expiry");
        assertEquals("pending", access(shop, first));
        assertEquals("pending", access(shop, newcomer), "v1 did not contain the newcomer");

        String v2 = versionOf(fetch(shop, token, "").then().statusCode(200).extract().asString());
        report(shop, token, "version=" + v2).then().statusCode(200).body("confirmed", equalTo(2));
        assertEquals("on_router", access(shop, second));
        assertEquals("on_router", access(shop, newcomer));
    }

    @Test
    void aConfirmationOfAnOlderVersionStillMarksWhatItContained() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        String early = paid(shop, Shop.randomMac());
        String v1 = versionOf(fetch(shop, token, "").then().statusCode(200).extract().asString());
        String late = paid(shop, Shop.randomMac()); // the list moves on before the router's confirmation arrives

        report(shop, token, "version=" + v1).then().statusCode(200).body("confirmed", equalTo(1))
                .body("current", equalTo(false));
        assertEquals("on_router", access(shop, early));
        assertEquals("pending", access(shop, late));
    }

    @Test
    void aPollHoldingTheCurrentVersionConfirmsItWhenTheReportWasLost() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        String payment = paid(shop, Shop.randomMac());
        String version = versionOf(fetch(shop, token, "").then().statusCode(200).extract().asString());
        assertEquals("pending", access(shop, payment));
        // An older script's version= is no confirmation: it keeps versions it did not fully apply.
        given().header("Authorization", "Bearer " + token)
                .get("/routers/" + shop.routerId() + "/authorized-macs/?format=text&version=" + version)
                .then().statusCode(200);
        assertEquals("pending", access(shop, payment));

        fetch(shop, token, "&version=" + version).then().statusCode(200)
                .body(equalTo("#OK unchanged version=" + version + " count=1\n#END\n"));
        assertEquals("on_router", access(shop, payment));
    }

    @Test
    void aScriptThatDoesNotConfirmStillGetsItsDevicesOnlineByFetching() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        String payment = paid(shop, Shop.randomMac());
        given().get("/routers/" + shop.routerId() + "/authorized-macs/?format=text&token=" + token).then()
                .statusCode(200);
        assertEquals("on_router", access(shop, payment));
    }

    @Test
    void onlyTheRoutersOwnTokenCanReport() {
        Shop shop = Shop.simulated();
        Shop other = Shop.simulated();
        String token = token(shop);
        String otherToken = token(other);
        String payment = paid(shop, Shop.randomMac());
        String version = versionOf(fetch(shop, token, "").then().extract().asString());

        report(shop, otherToken, "version=" + version).then().statusCode(404).body("error", notNullValue());
        report(shop, "f".repeat(64), "version=" + version).then().statusCode(401).body("error", notNullValue());
        given().body("version=" + version).post("/routers/" + shop.routerId() + "/authorized-macs/applied/").then()
                .statusCode(401).body("error", notNullValue());
        assertEquals("pending", access(shop, payment));
    }

    @Test
    void aBadReportIs400AndChangesNothing() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        String payment = paid(shop, Shop.randomMac());
        String version = versionOf(fetch(shop, token, "").then().extract().asString());
        for (String body : List.of("", "hello", "version=v1!", "version=" + version + "\nfailed=-1",
                "version=" + version + "\nfailed=x", "version=" + version + "\nmacs=not-a-mac",
                "version=" + version + "\nfailed=0\nmacs=02:00:00:00:00:01", "{\"version\": ", "[1]",
                "version=" + "1".repeat(41))) {
            report(shop, token, body).then().statusCode(400).body("error", notNullValue());
        }
        given().header("Authorization", "Bearer " + token).get("/routers/" + shop.routerId()
                + "/authorized-macs/applied/").then().statusCode(405).header("Allow", "POST");
        given().header("Authorization", "Bearer " + token).get("/routers/" + shop.routerId()
                + "/authorized-macs/?confirms=maybe").then().statusCode(400).body("error", notNullValue());
        fetch(shop, token, "&version=not_a_version").then().statusCode(400).body("error", notNullValue());
        assertEquals("pending", access(shop, payment));
        assertNull(db.queryString("SELECT last_report_error FROM router WHERE id = ?", shop.routerId()));
    }

    @Test
    void aJsonReportWorksToo() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        String mac = Shop.randomMac();
        String payment = paid(shop, mac);
        String version = versionOf(fetch(shop, token, "").then().extract().asString());
        given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body(Map.of("version", version, "failed", 1, "macs", List.of(mac), "error", "no room"))
                .post("/routers/" + shop.routerId() + "/authorized-macs/applied/").then().statusCode(200)
                .body("confirmed", equalTo(0)).body("current", equalTo(false));
        assertEquals("pending", access(shop, payment));
        assertEquals("no room", db.queryString("SELECT last_report_error FROM router WHERE id = ?",
                shop.routerId()));
    }
}
