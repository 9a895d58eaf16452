package org.hotspotbilling.hooks;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.FakeRouterOs;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.hotspotbilling.testing.Shop;
import org.hotspotbilling.testing.WebhookReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * access.* events come from the grant's own state moves (whichever code makes them), router.* events from the
 * reachability detector, each recorded once and in the transaction of the change.
 */
@QuarkusTest
class WebhookAccessAndRouterEventsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @Inject
    Db db;

    @Inject
    EntityManager em;

    @Inject
    RouterReachability reachability;

    private final WebhookReceiver receiver = new WebhookReceiver();
    private final FakeRouterOs router = new FakeRouterOs();
    private Shop shop;

    @AfterEach
    void close() {
        if (shop != null) {
            shop.owner().withJwt().body(Map.of("delivery", "poll")).patch("/routers/" + shop.routerId() + "/")
                    .then().statusCode(200);
        }
        router.close();
        receiver.close();
    }

    @Test
    void aGrantReachingTheRouterAndExpiringAreEvents() throws Exception {
        shop = Shop.pushingTo(router, "push", "hotspot-user");
        String secret = WebhookEndpointsTest.create(shop.owner(), WebhookEndpointsTest.endpoint(receiver.url(),
                "access.on_router", "access.expired")).getString("secret");
        String mac = Shop.randomMac();
        String payment = shop.paymentFor(mac);
        shop.simulate(payment, 0).statusCode(200);

        await().atMost(PATIENCE).until(() -> receiver.ofType("access.on_router").size() == 1);
        WebhookReceiver.Received onRouter = receiver.ofType("access.on_router").get(0);
        onRouter.verify(secret);
        JsonPath data = onRouter.json().setRootPath("data");
        assertEquals(mac, data.getString("mac_address"));
        assertEquals(shop.routerId(), data.getLong("router_id"));
        assertEquals(payment, data.getString("payment_id"));
        assertEquals("on_router", data.getString("state"));

        db.update("UPDATE access_grant SET expires_at = now() - interval '1 second' WHERE router_id = ? "
                + "AND mac_address = ?", shop.routerId(), mac);
        await().atMost(PATIENCE).until(() -> receiver.ofType("access.expired").size() == 1);
        assertEquals("expired", receiver.ofType("access.expired").get(0).json().getString("data.state"));
        assertEquals(1, receiver.ofType("access.on_router").size(), "each move once");
    }

    @Test
    void aRolledBackGrantMoveWritesNoEvent() {
        shop = Shop.pushingTo(router, "poll", "hotspot-user");
        WebhookEndpointsTest.create(shop.owner(), WebhookEndpointsTest.endpoint(receiver.url(), "access.on_router"));
        String mac = Shop.randomMac();
        shop.simulate(shop.paymentFor(mac), 0).statusCode(200);
        long grant = db.queryLong("SELECT id FROM access_grant WHERE router_id = ? AND mac_address = ?",
                shop.routerId(), mac);

        assertThrows(IllegalStateException.class, () -> QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("UPDATE access_grant SET state = 'on_router' WHERE id = ?1").setParameter(1, grant)
                    .executeUpdate();
            throw new IllegalStateException("rolled back");
        }));
        assertEquals(0, accessEvents(shop.owner()));

        db.update("UPDATE access_grant SET state = 'on_router' WHERE id = ?", grant);
        assertEquals(1, accessEvents(shop.owner()));
        await().atMost(PATIENCE).until(() -> receiver.ofType("access.on_router").size() == 1);
    }

    private long accessEvents(TestOwner owner) {
        return db.queryLong("SELECT count(*) FROM webhook_event WHERE owner_id = ? AND type = 'access.on_router'",
                owner.id());
    }

    @Test
    void routerOnlineAndOfflineAreRecordedOnceAcrossConcurrentChecks() throws Exception {
        TestOwner owner = Owners.register();
        long routerId = Fixtures.router(owner);
        String secret = WebhookEndpointsTest.create(owner, WebhookEndpointsTest.endpoint(receiver.url(),
                "router.online", "router.offline")).getString("secret");

        reachability.check(Instant.now());
        assertEquals(0, routerEvents(owner), "a router that never polled has no state to announce");

        db.update("UPDATE router SET last_poll_at = now() WHERE id = ?", routerId);
        checkTwiceAtOnce();
        assertEquals(List.of("router.online"), routerEventTypes(owner));

        // %test poll interval 10s: silent for 3 intervals is offline
        db.update("UPDATE router SET last_poll_at = now() - interval '31 seconds' WHERE id = ?", routerId);
        checkTwiceAtOnce();
        reachability.check(Instant.now());
        assertEquals(List.of("router.online", "router.offline"), routerEventTypes(owner));

        db.update("UPDATE router SET last_poll_at = now() WHERE id = ?", routerId);
        reachability.check(Instant.now());
        assertEquals(List.of("router.online", "router.offline", "router.online"), routerEventTypes(owner));

        await().atMost(PATIENCE).until(() -> receiver.received().size() == 3);
        WebhookReceiver.Received offline = receiver.ofType("router.offline").get(0);
        offline.verify(secret);
        assertEquals(routerId, offline.json().getLong("data.router_id"));
        assertEquals("offline", offline.json().getString("data.state"));
    }

    private void checkTwiceAtOnce() {
        Instant now = Instant.now();
        CompletableFuture<Integer> a = CompletableFuture.supplyAsync(() -> reachability.check(now));
        CompletableFuture<Integer> b = CompletableFuture.supplyAsync(() -> reachability.check(now));
        a.join();
        b.join();
    }

    private long routerEvents(TestOwner owner) {
        return routerEventTypes(owner).size();
    }

    private List<String> routerEventTypes(TestOwner owner) {
        return db.queryStrings("SELECT type FROM webhook_event WHERE owner_id = ? AND type LIKE 'router.%' "
                + "ORDER BY created_at", owner.id());
    }
}
