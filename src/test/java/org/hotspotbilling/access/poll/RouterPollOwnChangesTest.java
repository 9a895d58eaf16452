package org.hotspotbilling.access.poll;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What this instance changes reaches its own poll answers at once, without waiting for the database's notification.
 * Here nothing listens to the database at all (the listener is left out of the app) while polls are still answered
 * from memory: only this instance's own announcements can keep them right.
 */
@QuarkusTest
@TestProfile(RouterPollOwnChangesTest.NothingListens.class)
class RouterPollOwnChangesTest {

    public static class NothingListens implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.arc.exclude-types", PollCacheListener.class.getName(),
                    "hotspot.test.poll-memory-without-listener", "true");
        }
    }

    /** In this profile only: polls use memory although no notification will ever arrive. */
    @ApplicationScoped
    @IfBuildProperty(name = "hotspot.test.poll-memory-without-listener", stringValue = "true")
    static class TrustWithoutListening {
        void start(@Observes StartupEvent event, PollCache cache) {
            cache.trust(true);
        }
    }

    @Inject
    Db db;

    @Inject
    PollCache cache;

    private static String token(long routerId, Owners.TestOwner owner) {
        return owner.withJwt().post("/routers/" + routerId + "/rotate-token/").then().statusCode(200)
                .extract().path("poll_token");
    }

    private static Response poll(long routerId, String token, String query) {
        return given().header("Authorization", "Bearer " + token).get("/routers/" + routerId + "/authorized-macs/" + query);
    }

    @Test
    void aChangeNobodyAnnouncesIsNotSeenHere() {
        assertTrue(cache.inUse());
        Shop shop = Shop.simulated();
        String token = token(shop.routerId(), shop.owner());
        String mac = Shop.randomMac();
        shop.simulate(shop.paymentFor(mac), 0).statusCode(200);
        poll(shop.routerId(), token, "").then().body("count", equalTo(1));
        db.update("UPDATE access_grant SET state = 'revoked', updated_at = now() WHERE mac_address = ?", mac);
        poll(shop.routerId(), token, "").then().body("count", equalTo(1));
    }

    @Test
    void paymentsAndRevocationsChangeTheListAtOnce() {
        Shop shop = Shop.simulated();
        String token = token(shop.routerId(), shop.owner());
        String first = Shop.randomMac();
        shop.simulate(shop.paymentFor(first), 0).statusCode(200);
        String v1 = poll(shop.routerId(), token, "").then().body("count", equalTo(1)).extract().path("version");

        shop.simulate(shop.paymentFor(Shop.randomMac()), 0).statusCode(200);
        String v2 = poll(shop.routerId(), token, "?version=" + v1).then().body("unchanged", nullValue())
                .body("count", equalTo(2)).extract().path("version");

        shop.simulate(shop.paymentFor(first), 0).statusCode(200); // a second hour for the same device
        String v3 = poll(shop.routerId(), token, "?version=" + v2).then().body("count", equalTo(2))
                .extract().path("version");
        assertNotEquals(v2, v3);
        poll(shop.routerId(), token, "?format=text").then().body(containsString(first + ",7"));

        int grant = shop.owner().withJwt().get("/routers/" + shop.routerId() + "/access/").then()
                .extract().path("results.find { it.mac_address == '" + first + "' }.id");
        shop.owner().withJwt().post("/routers/" + shop.routerId() + "/access/" + grant + "/revoke/").then()
                .statusCode(200);
        poll(shop.routerId(), token, "?version=" + v3).then().body("count", equalTo(1));
    }

    @Test
    void aRotatedTokenStopsWorkingAtOnce() {
        Shop shop = Shop.simulated();
        String old = token(shop.routerId(), shop.owner());
        poll(shop.routerId(), old, "").then().statusCode(200);
        String replacement = token(shop.routerId(), shop.owner());
        poll(shop.routerId(), old, "").then().statusCode(401);
        poll(shop.routerId(), replacement, "").then().statusCode(200);
    }

    @Test
    void aDeletedRouterStopsAnsweringAtOnce() {
        var owner = Owners.register();
        long router = Fixtures.router(owner);
        String token = token(router, owner);
        poll(router, token, "").then().statusCode(200).body("count", equalTo(0));
        owner.withJwt().delete("/routers/" + router + "/").then().statusCode(200);
        poll(router, token, "").then().statusCode(404);
    }
}
