package org.hotspotbilling.access;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.hotspotbilling.crypto.Hashes;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pull mode: a router fetches its live grants with its own token. */
@QuarkusTest
class RouterPollTest {

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @Inject
    Db db;

    @Inject
    RouterPoll poll;

    @Inject
    PollCache cache;

    @Inject
    PollCacheListener listener;

    private static String token(Shop shop) {
        return shop.owner().withJwt().post("/routers/" + shop.routerId() + "/rotate-token/").then().statusCode(200)
                .body("poll_token", matchesPattern("[0-9a-f]{64}")).extract().path("poll_token");
    }

    private static Response poll(long routerId, String token, String query) {
        return given().header("Authorization", "Bearer " + token).get("/routers/" + routerId + "/authorized-macs/" + query);
    }

    @Test
    void aNewRouterShowsItsPollTokenOnceAndStoresOnlyAHash() {
        var owner = Owners.register();
        String token = owner.withJwt().body(Map.of("name", "r", "host", "10.0.0.1", "username", "api"))
                .post("/routers/").then().statusCode(201)
                .body("poll_token", matchesPattern("[0-9a-f]{64}")).body("has_poll_token", equalTo(true))
                .extract().path("poll_token");
        long id = owner.withJwt().get("/routers/").then().extract().jsonPath().getLong("[0].id");
        owner.withJwt().get("/routers/" + id + "/").then().body("$", not(hasKey("poll_token")));
        assertEquals(0, db.queryLong("SELECT count(*) FROM router WHERE poll_token_sha256 = ?", token));
        poll(id, token, "").then().statusCode(200).body("count", equalTo(0));
    }

    @Test
    void aCompletedPurchaseIsListedForItsRouterAndCountsAsDeliveredOncePolled() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        String mac = Shop.randomMac();
        String payment = shop.paymentFor(mac);
        shop.simulate(payment, 0).statusCode(200)
                .body("access.state", equalTo("pending")).body("access.expires_at", notNullValue());

        poll(shop.routerId(), token, "").then().statusCode(200)
                .header("ETag", notNullValue())
                .body("router_id", equalTo((int) shop.routerId()))
                .body("count", equalTo(1))
                .body("grants[0].mac_address", equalTo(mac))
                .body("grants[0].rate_limit", equalTo("2M/5M"))
                .body("grants[0].seconds_left", allOf(greaterThan(3500), lessThanOrEqualTo(3600)));
        shop.checkStatus(payment).body("access.state", equalTo("on_router"));
    }

    @Test
    void theTextFormIsWhatTheRouterScriptParses() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        String mac = Shop.randomMac();
        shop.simulate(shop.paymentFor(mac), 0).statusCode(200);
        String body = given().get("/routers/" + shop.routerId() + "/authorized-macs/?format=text&token=" + token)
                .then().statusCode(200).contentType(startsWith("text/plain")).extract().asString();
        String[] lines = body.split("\n");
        assertTrue(lines[0].matches("#OK v1 router=" + shop.routerId() + " count=1 version=\\S+ page=1/1"), lines[0]);
        assertTrue(lines[1].matches(mac + ",3[56]\\d\\d,2M/5M"), lines[1]);
        assertEquals("#END", lines[2]);
        assertEquals(3, lines.length);
    }

    @Test
    void anUnchangedListAnswers304OrOkUnchanged() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        shop.simulate(shop.paymentFor(Shop.randomMac()), 0).statusCode(200);
        Response first = poll(shop.routerId(), token, "?format=text");
        String etag = first.header("ETag");
        String version = first.asString().split("\n")[0].split(" ")[4].substring("version=".length());
        given().header("Authorization", "Bearer " + token).header("If-None-Match", etag)
                .get("/routers/" + shop.routerId() + "/authorized-macs/?format=text").then().statusCode(304);
        poll(shop.routerId(), token, "?format=text&version=" + version).then().statusCode(200)
                .body(equalTo("#OK unchanged version=" + version + " count=1\n#END\n"));

        shop.simulate(shop.paymentFor(Shop.randomMac()), 0).statusCode(200);
        given().header("Authorization", "Bearer " + token).header("If-None-Match", etag)
                .get("/routers/" + shop.routerId() + "/authorized-macs/?format=text").then().statusCode(200)
                .body(containsString("count=2"));
        poll(shop.routerId(), token, "?format=text&version=" + version).then().statusCode(200)
                .body(containsString("count=2"));
    }

    @Test
    void everyPollIsRecordedOnTheRouterWithTheVersionItHolds() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        shop.simulate(shop.paymentFor(Shop.randomMac()), 0).statusCode(200);
        String version = poll(shop.routerId(), token, "").then().statusCode(200).extract().path("version");
        awaitLastPoll(shop, version);
        // An unchanged answer is a poll too: the router is alive and holds the current list.
        db.update("UPDATE router SET last_poll_at = NULL, last_poll_version = NULL WHERE id = ?", shop.routerId());
        poll(shop.routerId(), token, "?version=" + version).then().statusCode(200).body("unchanged", equalTo(true));
        awaitLastPoll(shop, version);
    }

    private void awaitLastPoll(Shop shop, String version) {
        await().atMost(PATIENCE).untilAsserted(() -> {
            shop.owner().withJwt().get("/routers/" + shop.routerId() + "/").then().body("last_poll_at", notNullValue());
            assertEquals(version, db.queryString("SELECT last_poll_version FROM router WHERE id = ?", shop.routerId()));
        });
    }

    @Test
    void expiredAndRevokedGrantsNeverAppear() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        String expiring = Shop.randomMac();
        String revoked = Shop.randomMac();
        shop.simulate(shop.paymentFor(expiring), 0).statusCode(200);
        shop.simulate(shop.paymentFor(revoked), 0).statusCode(200);
        shop.simulate(shop.paymentFor(Shop.randomMac()), 0).statusCode(200);
        String before = poll(shop.routerId(), token, "").then().body("count", equalTo(3)).extract().path("version");
        // As another instance or an operator would: only the database can tell this instance.
        db.update("UPDATE access_grant SET expires_at = now() - interval '1 second' WHERE mac_address = ?", expiring);
        db.update("UPDATE access_grant SET state = 'revoked' WHERE mac_address = ?", revoked);
        await().atMost(PATIENCE).untilAsserted(() -> poll(shop.routerId(), token, "").then().body("count", equalTo(1)));
        String after = poll(shop.routerId(), token, "").then().body("count", equalTo(1))
                .body("grants.mac_address", not(hasItem(expiring))).body("grants.mac_address", not(hasItem(revoked)))
                .extract().path("version");
        assertNotEquals(before, after, "the version must change when grants leave the list");
    }

    /** A router with one paid device, whose list this instance now holds in memory. */
    private record Polled(Shop shop, String token, String mac, String version) {
    }

    private Polled oneGrantPolledFromMemory() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        String mac = Shop.randomMac();
        shop.simulate(shop.paymentFor(mac), 0).statusCode(200);
        awaitMemoryInUse();
        String version = poll(shop.routerId(), token, "").then().body("count", equalTo(1)).extract().path("version");
        return new Polled(shop, token, mac, version);
    }

    @Test
    void aListInMemoryIsNeverUsedPastItsEarliestExpiry() {
        Polled polled = oneGrantPolledFromMemory();
        // Nothing tells this instance when a grant's time is up, and the sweeper may not have run yet.
        RouterPoll.LiveList later = poll.list(polled.shop().routerId(), RouterPoll.tokenHash(polled.token()),
                Instant.now().plus(Duration.ofHours(2)));
        assertEquals(List.of(), later.grants());
        assertNotEquals(polled.version(), later.version());
    }

    @Test
    void changesMadeElsewhereReachTheListsInMemory() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        String extended = Shop.randomMac();
        String revoked = Shop.randomMac();
        shop.simulate(shop.paymentFor(extended), 0).statusCode(200);
        shop.simulate(shop.paymentFor(revoked), 0).statusCode(200);
        awaitMemoryInUse();
        String before = poll(shop.routerId(), token, "").then().body("count", equalTo(2)).extract().path("version");
        db.update("UPDATE access_grant SET state = 'revoked', updated_at = now() WHERE mac_address = ?", revoked);
        await().atMost(PATIENCE).untilAsserted(() -> poll(shop.routerId(), token, "").then().body("count", equalTo(1)));
        String afterRevoke = poll(shop.routerId(), token, "").then().extract().path("version");
        assertNotEquals(before, afterRevoke);
        db.update("UPDATE access_grant SET expires_at = expires_at + interval '1 hour', updated_at = now() "
                + "WHERE mac_address = ?", extended);
        await().atMost(PATIENCE).untilAsserted(() -> poll(shop.routerId(), token, "?format=text").then()
                .body(containsString(extended + ",7")));
        poll(shop.routerId(), token, "?version=" + afterRevoke).then().body("unchanged", nullValue());
    }

    @Test
    void aListInMemoryIsReloadedWhenItChangesBeforeItsRouterPollsAgain() {
        Polled polled = oneGrantPolledFromMemory();
        db.update("UPDATE access_grant SET expires_at = expires_at + interval '1 hour', updated_at = now() "
                + "WHERE mac_address = ?", polled.mac());
        await().atMost(PATIENCE).until(() -> {
            RouterPoll.LiveList held = cache.list(polled.shop().routerId(), Instant.now());
            return held != null && !held.version().equals(polled.version());
        });
    }

    @Test
    void aTokenReplacedElsewhereStopsWorking() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        awaitMemoryInUse();
        poll(shop.routerId(), token, "").then().statusCode(200);
        String replacement = "e".repeat(64);
        db.update("UPDATE router SET poll_token_sha256 = ? WHERE id = ?", Hashes.sha256Hex(replacement),
                shop.routerId());
        await().atMost(PATIENCE).untilAsserted(() -> poll(shop.routerId(), token, "").then().statusCode(401));
        poll(shop.routerId(), replacement, "").then().statusCode(200);
    }

    @Test
    void afterTheListenerReconnectsNothingItMayHaveMissedIsUsed() {
        Polled polled = oneGrantPolledFromMemory();
        // A change nobody hears of (triggers off for this session), then the listening connection drops.
        db.updateWithoutTriggers("UPDATE access_grant SET state = 'revoked', updated_at = now() WHERE mac_address = ?",
                polled.mac());
        int connects = listener.connects();
        assertEquals(1, db.queryLong("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                + "WHERE application_name = ?", PollCacheListener.APPLICATION_NAME));
        await().atMost(PATIENCE).until(() -> listener.connects() > connects && cache.inUse());
        poll(polled.shop().routerId(), polled.token(), "").then().body("count", equalTo(0));
    }

    private void awaitMemoryInUse() {
        await().atMost(PATIENCE).until(cache::inUse);
    }

    @Test
    void tokensAreCheckedPerRouter() {
        Shop shop = Shop.simulated();
        Shop other = Shop.simulated();
        String token = token(shop);
        String otherToken = token(other);
        given().get("/routers/" + shop.routerId() + "/authorized-macs/").then().statusCode(401).body("error", notNullValue());
        poll(shop.routerId(), "f".repeat(64), "").then().statusCode(401);
        poll(shop.routerId(), otherToken, "").then().statusCode(404);
        poll(999_999_999L, token, "").then().statusCode(404);
        String rotated = token(shop);
        poll(shop.routerId(), token, "").then().statusCode(401);
        poll(shop.routerId(), rotated, "").then().statusCode(200);
        shop.owner().asPortal().post("/routers/" + shop.routerId() + "/rotate-token/").then().statusCode(403);
        other.owner().withJwt().post("/routers/" + shop.routerId() + "/rotate-token/").then().statusCode(404);
    }

    @Test
    void badParametersAre400() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        poll(shop.routerId(), token, "?format=xml").then().statusCode(400).body("error", notNullValue());
        poll(shop.routerId(), token, "?page=0").then().statusCode(400).body("error", notNullValue());
        poll(shop.routerId(), token, "?page=two").then().statusCode(400).body("error", notNullValue());
        given().header("Authorization", "Bearer " + token).post("/routers/" + shop.routerId() + "/authorized-macs/")
                .then().statusCode(405).header("Allow", "GET").body("error", notNullValue());
        // The path without its trailing slash and the token in the query, as older /tool fetch scripts send it.
        given().get("/routers/" + shop.routerId() + "/authorized-macs?format=text&token=" + token).then()
                .statusCode(200).contentType(startsWith("text/plain")).body(startsWith("#OK v1"));
        given().get("/routers/99999999999999999999/authorized-macs/").then().statusCode(404)
                .body("error", notNullValue());
    }

    @Test
    void longListsArePagedUnder48Kilobytes() {
        Shop shop = Shop.simulated();
        String token = token(shop);
        db.update("INSERT INTO access_grant (owner_id, router_id, mac_address, expires_at, rate_limit, state, created_at, "
                + "updated_at) SELECT ?, ?, upper(concat_ws(':', '02', lpad(to_hex(n / 65536), 2, '0'), "
                + "lpad(to_hex((n / 256) % 256), 2, '0'), lpad(to_hex(n % 256), 2, '0'), 'AA', 'BB')), "
                + "now() + interval '1 hour', '2M/5M', 'pending', now(), now() FROM generate_series(1, 1001) n",
                shop.owner().id(), shop.routerId());
        String page1 = poll(shop.routerId(), token, "?format=text").then().statusCode(200).extract().asString();
        String page2 = poll(shop.routerId(), token, "?format=text&page=2").then().statusCode(200).extract().asString();
        assertTrue(page1.startsWith("#OK v1 router=" + shop.routerId() + " count=1001 "), page1.substring(0, 80));
        assertTrue(page1.contains(" page=1/2\n") && page2.contains(" page=2/2\n"));
        assertEquals(1002, page1.split("\n").length);
        assertEquals(3, page2.split("\n").length);
        assertTrue(page1.getBytes().length < 48 * 1024, page1.getBytes().length + " bytes");
    }
}
