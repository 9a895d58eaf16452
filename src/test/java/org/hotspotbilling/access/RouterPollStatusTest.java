package org.hotspotbilling.access;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.PollingRouter;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/** What an owner sees of a router's poll side: GET /routers/{id}/poll/ and poll_state in the router list. */
@QuarkusTest
class RouterPollStatusTest {

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @Inject
    Db db;

    private static String token(Shop shop) {
        return shop.owner().withJwt().post("/routers/" + shop.routerId() + "/rotate-token/").then().statusCode(200)
                .extract().path("poll_token");
    }

    private static String status(Shop shop) {
        return "/routers/" + shop.routerId() + "/poll/";
    }

    @Test
    void aRouterThatNeverPolledIsNeverAndItsPaidDevicesShowAsPending() {
        Shop shop = Shop.simulated();
        shop.owner().withJwt().get(status(shop)).then().statusCode(200)
                .body("state", equalTo("never")).body("script", nullValue()).body("pending_grants", equalTo(0))
                .body("in_sync", equalTo(false)).body("interval_seconds", equalTo(10));
        shop.simulate(shop.paymentFor(Shop.randomMac()), 0).statusCode(200);
        shop.owner().withJwt().get(status(shop)).then().statusCode(200)
                .body("pending_grants", equalTo(1)).body("oldest_pending_since", notNullValue())
                .body("lag_seconds", greaterThanOrEqualTo(0)).body("current_version", notNullValue());
        shop.owner().withJwt().get("/routers/" + shop.routerId() + "/").then().body("poll_state", equalTo("never"));
    }

    @Test
    void aConfirmingRouterInStepShowsOnlineAppliedAndInSync() {
        Shop shop = Shop.simulated();
        PollingRouter router = PollingRouter.ofApp(shop.routerId(), token(shop));
        shop.simulate(shop.paymentFor(Shop.randomMac()), 0).statusCode(200);
        router.pollOnce();
        await().atMost(PATIENCE).untilAsserted(() -> shop.owner().withJwt().get(status(shop)).then()
                .body("state", equalTo("online")).body("script", equalTo("confirming"))
                .body("in_sync", equalTo(true)).body("last_applied_version", equalTo(router.version()))
                .body("current_version", equalTo(router.version())).body("pending_grants", equalTo(0))
                .body("last_report_failed", equalTo(0)).body("last_report_error", nullValue()));
        shop.owner().withJwt().get("/routers/").then().body("find { it.id == " + shop.routerId() + " }.poll_state",
                equalTo("online"));
    }

    @Test
    void aScriptsReportedFailureAndALegacyScriptShow() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        PollingRouter router = PollingRouter.ofApp(shop.routerId(), token);
        router.failNextAdds(1);
        shop.simulate(shop.paymentFor(Shop.randomMac()), 0).statusCode(200);
        router.pollOnce();
        shop.owner().withJwt().get(status(shop)).then().body("last_report_failed", equalTo(1))
                .body("last_report_error", containsString("cannot add")).body("pending_grants", equalTo(1))
                .body("in_sync", equalTo(false));

        given().get("/routers/" + shop.routerId() + "/authorized-macs/?format=text&token=" + token).then()
                .statusCode(200);
        await().atMost(PATIENCE).untilAsserted(() -> shop.owner().withJwt().get(status(shop)).then()
                .body("script", equalTo("legacy")).body("in_sync", equalTo(true)).body("pending_grants", equalTo(0)));
    }

    @Test
    void aRouterSilentForThreeIntervalsIsOffline() {
        Shop shop = Shop.simulated();
        PollingRouter router = PollingRouter.ofApp(shop.routerId(), token(shop));
        router.pollOnce();
        await().atMost(PATIENCE).untilAsserted(() -> shop.owner().withJwt().get("/routers/" + shop.routerId() + "/")
                .then().body("poll_state", equalTo("online")));
        db.update("UPDATE router SET last_poll_at = now() - interval '31 seconds' WHERE id = ?", shop.routerId());
        shop.owner().withJwt().get("/routers/").then().body("find { it.id == " + shop.routerId() + " }.poll_state",
                equalTo("offline"));
        shop.owner().withJwt().get(status(shop)).then().body("state", equalTo("offline"));
    }

    @Test
    void aPushOnlyRouterHasNoPollStateAndAnotherOwnersRouterIs404() {
        var owner = Owners.register();
        // On loopback, where nothing answers: the push worker's tries stay on this machine.
        long push = Fixtures.router(owner, Map.of("delivery", "push", "host", "127.0.0.1", "port", 9,
                "username", "billing"));
        owner.withJwt().get("/routers/" + push + "/").then().body("poll_state", nullValue());
        owner.withJwt().body(Map.of("delivery", "poll")).patch("/routers/" + push + "/").then().statusCode(200)
                .body("poll_state", equalTo("never"));
        Shop other = Shop.simulated();
        owner.withJwt().get(status(other)).then().statusCode(404).body("error", notNullValue());
    }
}
