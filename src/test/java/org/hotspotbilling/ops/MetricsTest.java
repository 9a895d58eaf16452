package org.hotspotbilling.ops;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.hotspotbilling.testing.FakeRouterOs;
import org.hotspotbilling.testing.Scrape;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /q/metrics} (docs/metrics.md): the numbers an operator watches move when what they count happens,
 * and no label carries a payment id or a phone number. Database gauges are read after {@link
 * OperationsGauges#refresh()}; other tests' rows are in the same database, so gauges are compared before and after.
 */
@QuarkusTest
class MetricsTest {

    @Inject
    OperationsGauges gauges;

    @Inject
    Db db;

    @Test
    void theEndpointAnswersPrometheusTextWithTheProcessNumbers() {
        String text = given().get("/q/metrics").then().statusCode(200)
                .header("Content-Type", startsWith("text/plain; version=0.0.4")).extract().asString();
        assertTrue(text.contains("# TYPE hotspot_router_polls_total counter"), text);
        assertTrue(text.contains("# TYPE hotspot_payments_open gauge"), text);
        assertTrue(text.contains("jvm_memory_used_bytes{"), text);
        assertTrue(text.contains("process_uptime_seconds"), text);
    }

    @Test
    void openPaymentsAndTheirAgeFollowTheDatabase() {
        Shop shop = Shop.simulated();
        gauges.refresh();
        double before = Scrape.now().value("hotspot_payments_open", "status", "processing");
        String id = shop.paymentFor(Shop.randomMac());
        db.update("UPDATE payment SET created_at = now() - interval '2 hours' WHERE id = ?", UUID.fromString(id));
        gauges.refresh();
        Scrape open = Scrape.now();
        assertEquals(before + 1, open.value("hotspot_payments_open", "status", "processing"));
        assertTrue(open.value("hotspot_payments_open_oldest_age_seconds", "status", "processing") >= 7200);

        shop.simulate(id, 0).statusCode(200);
        gauges.refresh();
        assertEquals(before, Scrape.now().value("hotspot_payments_open", "status", "processing"));
    }

    @Test
    void paymentsNeedingTheirOwnerAndTheReconcilersBacklogAreCounted() {
        Shop shop = Shop.simulated();
        gauges.refresh();
        Scrape before = Scrape.now();
        UUID stranded = UUID.fromString(shop.paymentFor(Shop.randomMac()));
        UUID due = UUID.fromString(shop.paymentFor(Shop.randomMac()));
        db.update("UPDATE payment SET attention = 'Its credential was deleted' WHERE id = ?", stranded);
        db.update("UPDATE payment SET next_check_at = now() - interval '10 minutes' WHERE id = ?", due);
        gauges.refresh();
        Scrape after = Scrape.now();
        assertEquals(before.value("hotspot_payments_needing_owner") + 1, after.value("hotspot_payments_needing_owner"));
        assertEquals(before.value("hotspot_reconcile_due") + 1, after.value("hotspot_reconcile_due"));
        assertTrue(after.value("hotspot_reconcile_due_oldest_age_seconds") >= 600);
    }

    @Test
    void pollsAreCountedAndRoutersThatNeverPolledShow() {
        Shop shop = Shop.simulated();
        gauges.refresh();
        // The new router has not polled yet.
        Scrape before = Scrape.now();
        String token = shop.owner().withJwt().post("/routers/" + shop.routerId() + "/rotate-token/").then()
                .statusCode(200).extract().path("poll_token");
        given().header("Authorization", "Bearer " + token)
                .get("/routers/" + shop.routerId() + "/authorized-macs/?format=text").then().statusCode(200);
        Scrape afterPoll = Scrape.now();
        assertTrue(afterPoll.value("hotspot_router_polls_total") >= before.value("hotspot_router_polls_total") + 1);
        // The poll is written to the router's row within a second; the router then counts as online.
        await().atMost(Duration.ofSeconds(10)).until(() -> db.queryLong(
                "SELECT count(*) FROM router WHERE id = ? AND last_poll_at IS NOT NULL", shop.routerId()) == 1);
        gauges.refresh();
        Scrape after = Scrape.now();
        // Earlier tests' last polls may be written meanwhile, and their routers go offline as time passes, so
        // "never" moves at least by this router, and "online" holds at least this router.
        assertTrue(before.value("hotspot_poll_routers", "state", "never") >= 1);
        assertTrue(after.value("hotspot_poll_routers", "state", "never")
                <= before.value("hotspot_poll_routers", "state", "never") - 1);
        assertTrue(after.value("hotspot_poll_routers", "state", "online") >= 1);
    }

    @Test
    void pushesQueuedForAnUnreachableRouterShowAsFailing() {
        Shop shop;
        try (FakeRouterOs fake = new FakeRouterOs()) {
            shop = Shop.pushingTo(fake, "push", "hotspot-user");
        }
        // The router is gone: the grant's push job stays queued and its router's passes fail.
        String id = shop.paymentFor(Shop.randomMac());
        shop.simulate(id, 0).statusCode(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> db.queryLong("SELECT count(*) FROM router_push_state "
                + "WHERE router_id = ? AND failures > 0", shop.routerId()) == 1);
        gauges.refresh();
        Scrape after = Scrape.now();
        assertTrue(after.value("hotspot_push_jobs_queued", "router", "failing") >= 1, after.text());
        assertTrue(after.value("hotspot_push_jobs_queued_oldest_age_seconds", "router", "failing") > 0);
    }

    @Test
    void ownerWebhookDeliveriesThatFailAreCounted() {
        TestOwner owner = Owners.register();
        gauges.refresh();
        Scrape before = Scrape.now();
        // A delivery whose attempts failed, next tried tomorrow (so no worker touches it while the test reads), and
        // an endpoint we disabled.
        db.update("INSERT INTO webhook_endpoint (owner_id, url, event_types, secret_ciphertext, created_at, "
                + "updated_at) VALUES (?, 'https://hooks.isp.example/in', '{payment.created}', '\\x00'::bytea, now(), "
                + "now())", owner.id());
        db.update("INSERT INTO webhook_endpoint (owner_id, url, event_types, secret_ciphertext, enabled, "
                + "disabled_reason, disabled_at, created_at, updated_at) VALUES (?, 'https://hooks.isp.example/off', "
                + "'{payment.created}', '\\x00'::bytea, false, 'every attempt failed', now(), now(), now())",
                owner.id());
        long endpoint = db.queryLong("SELECT min(id) FROM webhook_endpoint WHERE owner_id = ?", owner.id());
        String event = "evt_metrics" + System.nanoTime();
        db.update("INSERT INTO webhook_event (id, owner_id, type, payload, created_at) VALUES (?, ?, "
                + "'payment.created', '{}', now())", event, owner.id());
        db.update("INSERT INTO webhook_delivery (endpoint_id, event_id, owner_id, state, attempts, next_attempt_at, "
                + "created_at) VALUES (?, ?, ?, 'queued', 3, now() + interval '1 day', now() - interval '2 hours')",
                endpoint, event, owner.id());
        gauges.refresh();
        Scrape after = Scrape.now();
        assertEquals(before.value("hotspot_webhook_deliveries_queued", "state", "retrying") + 1,
                after.value("hotspot_webhook_deliveries_queued", "state", "retrying"));
        assertTrue(after.value("hotspot_webhook_deliveries_queued_oldest_age_seconds", "state", "retrying") >= 7200);
        assertEquals(before.value("hotspot_webhook_endpoints_disabled") + 1,
                after.value("hotspot_webhook_endpoints_disabled"));
    }

    @Test
    void rateLimitRefusalsAreCountedByLimit() {
        String key = UUID.randomUUID().toString();
        double before = Scrape.now().value("hotspot_rate_limit_refusals_total", "limit", "test-tiny");
        for (int i = 0; i < 2; i++) {
            given().post("/test-probe/rate-limit/test-tiny/" + key).then().statusCode(200);
        }
        given().post("/test-probe/rate-limit/test-tiny/" + key).then().statusCode(429);
        assertEquals(before + 1, Scrape.now().value("hotspot_rate_limit_refusals_total", "limit", "test-tiny"));
    }

    @Test
    void providerCallbacksAreCountedByOutcome() {
        Shop shop = Shop.simulated();
        String challenge = shop.webhookChallenge();
        Scrape before = Scrape.now();
        shop.webhook(Map.of("invoice_id", "NOT-OURS-" + UUID.randomUUID(), "state", "COMPLETE", "challenge",
                challenge)).statusCode(200);
        shop.webhook(Map.of("invoice_id", "X", "state", "COMPLETE", "challenge", "wrong")).statusCode(401);
        given().contentType("application/json").body(Map.of("invoice_id", "X", "state", "COMPLETE"))
                .post("/payments/webhook/intasend/" + "0123456789abcdef".repeat(4) + "/").then().statusCode(404);
        Scrape after = Scrape.now();
        for (String outcome : new String[] {"ignored", "rejected", "unknown_url"}) {
            assertEquals(before.value("hotspot_provider_webhooks_total", "provider", "instasend", "outcome", outcome)
                    + 1, after.value("hotspot_provider_webhooks_total", "provider", "instasend", "outcome", outcome),
                    outcome);
        }
    }

    @Test
    void theDashboardAndTheDocsNameOnlySeriesTheEndpointExports() throws Exception {
        // Every series exists once something has happened: a payment completed, a refusal, a callback.
        Shop shop = Shop.simulated();
        shop.simulate(shop.paymentFor(Shop.randomMac()), 0).statusCode(200);
        rateLimitRefusalsAreCountedByLimit();
        providerCallbacksAreCountedByOutcome();
        String text = Scrape.now().text();
        Pattern series = Pattern.compile("hotspot_[a-z_]+");
        for (String file : new String[] {"docker/grafana-dashboard.json", "docs/metrics.md"}) {
            Matcher used = series.matcher(Files.readString(Path.of(file)));
            int count = 0;
            while (used.find()) {
                String name = used.group();
                count++;
                assertTrue(text.contains("\n" + name + "{") || text.contains("\n" + name + " ")
                        || text.contains("# TYPE " + name + " histogram"), file + " names " + name
                        + ", which /q/metrics does not export");
            }
            assertTrue(count >= 10, file + " names only " + count + " series");
        }
    }

    @Test
    void noLabelNamesAPaymentOrACustomer() {
        Shop shop = Shop.simulated();
        String phone = Shop.phone();
        String mac = Shop.randomMac();
        String id = shop.initiate(shop.purchase(phone, mac)).statusCode(201).extract().path("payment.id");
        shop.simulate(id, 0).statusCode(200);
        gauges.refresh();
        String text = Scrape.now().text();
        assertFalse(text.contains(id), "payment id in the metrics");
        assertFalse(text.contains(phone.substring(1)), "phone number in the metrics");
        assertFalse(text.contains(mac), "MAC address in the metrics");
        assertFalse(text.contains("=\"" + shop.routerId() + "\""), "router id as a label");
    }
}
