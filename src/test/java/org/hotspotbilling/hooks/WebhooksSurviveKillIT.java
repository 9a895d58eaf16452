package org.hotspotbilling.hooks;

import org.hotspotbilling.testing.PackagedApp;
import org.hotspotbilling.testing.Shop;
import org.hotspotbilling.testing.WebhookReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The packaged app is killed (SIGKILL) while an endpoint is receiving a webhook and before it answered, then
 * started again on the same database: the delivery is sent again with the same event id once the dead worker's
 * lease has run out, and recorded as delivered.
 */
class WebhooksSurviveKillIT {

    private static final Map<String, String> SETTINGS = Map.of(
            "HOTSPOT_ROUTER_ALLOW_LOOPBACK", "true",
            "HOTSPOT_WEBHOOKS_REQUIRE_HTTPS", "false",
            "HOTSPOT_WEBHOOKS_READ_TIMEOUT", "60s",
            // Below the read timeout, unlike in production (README): the restarted instance takes the dead one's
            // delivery over within seconds, where a real lease would make it wait a minute.
            "HOTSPOT_WEBHOOKS_LEASE", "3s",
            "HOTSPOT_WEBHOOKS_SWEEP_INTERVAL", "1s",
            "HOTSPOT_PAYMENTS_RECONCILE_ENABLED", "false");

    private PackagedApp app;
    private final WebhookReceiver receiver = new WebhookReceiver();

    @AfterEach
    void stop() throws IOException {
        receiver.close();
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aDeliveryCutShortByAKillIsSentAgainAfterRestart() throws Exception {
        app = new PackagedApp();
        app.start("first", SETTINGS);

        Shop shop = Shop.simulated();
        String secret = WebhookEndpointsTest.create(shop.owner(), WebhookEndpointsTest.endpoint(receiver.url(),
                "payment.created")).getString("secret");
        receiver.delay(Duration.ofSeconds(30)); // holds the request open: the app dies waiting for the answer
        shop.paymentFor(Shop.randomMac());

        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() == 1);
        app.kill();
        assertEquals("queued", app.query("SELECT state FROM webhook_delivery"));
        assertEquals("0", app.query("SELECT count(*) FROM webhook_attempt"), "no answer came: no attempt logged");

        receiver.delay(Duration.ZERO);
        app.start("second", SETTINGS);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> "delivered".equals(app.query("SELECT state FROM webhook_delivery")));
        List<WebhookReceiver.Received> got = receiver.received();
        assertEquals(2, got.size());
        assertEquals(got.get(0).id(), got.get(1).id(), "the same event id: the receiver deduplicates");
        got.get(1).verify(secret);
        assertEquals("200", app.query("SELECT status_code FROM webhook_attempt"));
    }
}
