package org.hotspotbilling.overview;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.hotspotbilling.payment.RecoveryHints;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The overview's figures for known payments, and its daily rollups under concurrent settlements (docs/overview.md). */
@QuarkusTest
class OverviewFiguresTest {

    @Inject
    Db db;

    @Test
    void figuresOfKnownPaymentsIncludingALateSuccessAndAnotherProvider() {
        Shop shop = Shop.simulated();
        String paid = shop.paymentFor(Shop.randomMac());
        String paidToo = shop.paymentFor(Shop.randomMac());
        String cancelled = shop.paymentFor(Shop.randomMac());
        String lateSuccess = shop.paymentFor(Shop.randomMac());
        String open = shop.paymentFor(Shop.randomMac());
        shop.simulate(paid, 0).statusCode(200);
        shop.simulate(paidToo, 0).statusCode(200);
        shop.simulate(cancelled, 1032).statusCode(200);
        shop.simulate(lateSuccess, 1037).statusCode(200);
        JsonPath before = overview(shop, "");
        assertEquals(2, before.getInt("payments.by_status.failed"));
        assertEquals(1, before.getInt("failures.find { it.result_code == '1037' }.payments"));
        // Money that arrives after the payment failed completes it: it leaves the failures for the completed.
        shop.owner().withJwt().post("/payments/" + lateSuccess + "/mark-completed/").then().statusCode(200);

        // A second provider: M-Pesa Daraja (simulator) takes over the portal; its callbacks are real deliveries.
        long daraja = shop.owner().withJwt().body(Map.of("provider", "mpesa", "consumer_key", "sim",
                "consumer_secret", "sim-secret-x", "environment", "simulator")).post("/payments/credentials/").then()
                .statusCode(201).extract().jsonPath().getLong("id");
        shop.owner().withJwt().post("/payments/credentials/" + daraja + "/use-for-portal/").then().statusCode(200);
        String mpesaPaid = shop.owner().asPortal().body(shop.purchase(Shop.phone())).post("/payments/initiate/")
                .then().statusCode(201).extract().path("payment.id");
        shop.simulate(mpesaPaid, 0).statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> "completed".equals(
                db.queryString("SELECT status FROM payment WHERE id = ?::uuid", mpesaPaid)));

        JsonPath o = overview(shop, "");
        assertEquals(6, o.getInt("payments.total"));
        assertEquals(Map.of("pending", 0, "processing", 1, "completed", 4, "failed", 1, "cancelled", 0),
                o.getMap("payments.by_status"));
        assertEquals(5, o.getInt("payments.by_provider.instasend.total"));
        assertEquals(3, o.getInt("payments.by_provider.instasend.by_status.completed"));
        assertEquals(1, o.getInt("payments.by_provider.instasend.by_status.processing"));
        assertEquals(Map.of("KES", "60.00"), o.getMap("payments.by_provider.instasend.completed_amount"));
        assertEquals(1, o.getInt("payments.by_provider.mpesa.by_status.completed"));
        assertEquals(Map.of("KES", "20.00"), o.getMap("payments.by_provider.mpesa.completed_amount"));
        assertEquals(Map.of("KES", "80.00"), o.getMap("revenue.total"));
        List<Map<String, Object>> days = o.getList("revenue.by_day");
        assertEquals(31, days.size(), "the 30 days before now touch 31 UTC days");
        assertEquals(Map.of("day", today(), "payments", 4, "amount", Map.of("KES", "80.00")), days.get(30));
        assertEquals(Map.of("day", days.get(0).get("day"), "payments", 0, "amount", Map.of()), days.get(0));
        assertEquals(0.8, o.getDouble("success_rate"), 1e-9, "4 completed of 5 settled");
        assertEquals(List.of(Map.of("result_code", "1032", "payments", 1, "by_provider", Map.of("instasend", 1),
                "recovery_hint", RecoveryHints.forCode("1032"))), o.getList("failures"));
        assertEquals(4, o.getInt("time_to_complete.payments"));
        assertTrue(o.getDouble("time_to_complete.median_seconds") >= 0);
        long mpesaCallbacks = db.queryLong("SELECT count(*) FROM payment_event WHERE payment_id = ?::uuid "
                + "AND type = 'webhook_received'", mpesaPaid);
        assertTrue(mpesaCallbacks > 0);
        assertEquals(Map.of("mpesa", (int) mpesaCallbacks), o.getMap("callbacks.by_provider"));
        assertEquals(mpesaCallbacks, o.getLong("callbacks.received"));

        // The overview counts exactly the payments the list shows for the same range.
        String from = o.getString("from");
        String to = o.getString("to");
        shop.owner().withJwt().queryParam("date_from", from).queryParam("date_to", to).get("/payments/").then()
                .body("count", org.hamcrest.Matchers.equalTo(6));
        Rollups.assertMatchRows(db, shop.owner().id());
    }

    @Test
    void daysAreUtcDaysOfCreationAndInstantsCountExactly() {
        Shop shop = Shop.simulated();
        String lateEvening = shop.paymentFor(Shop.randomMac());
        String midnight = shop.paymentFor(Shop.randomMac());
        String noonFailed = shop.paymentFor(Shop.randomMac());
        shop.simulate(lateEvening, 0).statusCode(200);
        shop.simulate(midnight, 0).statusCode(200);
        shop.simulate(noonFailed, 1032).statusCode(200);
        // Moved into the past by hand: the rollups follow any change of the rows, SQL included.
        at(lateEvening, "2026-03-01T23:59:59.5Z", "2026-03-02T00:00:19.8Z"); // 20.3 s, completed after midnight
        at(midnight, "2026-03-02T00:00:00Z", "2026-03-02T00:00:05.2Z"); // 5.2 s
        at(noonFailed, "2026-03-02T12:00:00Z", null);

        JsonPath first = overview(shop, "?from=2026-03-01&to=2026-03-02");
        assertEquals(1, first.getInt("payments.total"));
        assertEquals(List.of(Map.of("day", "2026-03-01", "payments", 1, "amount", Map.of("KES", "20.00"))),
                first.getList("revenue.by_day"));
        assertEquals(20.5, first.getDouble("time_to_complete.median_seconds"), 1e-9, "bucket 20-21 s");
        assertEquals(20.5, first.getDouble("time_to_complete.p95_seconds"), 1e-9);

        JsonPath second = overview(shop, "?from=2026-03-02&to=2026-03-03");
        assertEquals(Map.of("pending", 0, "processing", 0, "completed", 1, "failed", 1, "cancelled", 0),
                second.getMap("payments.by_status"));
        assertEquals(0.5, second.getDouble("success_rate"), 1e-9);
        assertEquals(5.5, second.getDouble("time_to_complete.median_seconds"), 1e-9);
        assertEquals("1032", second.getString("failures[0].result_code"));

        // Instants: the two minutes around midnight, read from the rows (no whole day inside).
        JsonPath midnightOnly = overview(shop, "?from=2026-03-01T23:59:00Z&to=2026-03-02T00:01:00Z");
        assertEquals(2, midnightOnly.getInt("payments.by_status.completed"));
        assertEquals(List.of("2026-03-01", "2026-03-02"), midnightOnly.getList("revenue.by_day.day"));
        assertEquals(5.5, midnightOnly.getDouble("time_to_complete.median_seconds"), 1e-9);
        assertEquals(20.5, midnightOnly.getDouble("time_to_complete.p95_seconds"), 1e-9);
        assertEquals(1, overview(shop, "?from=2026-03-01T23:59:59.6Z&to=2026-03-02T00:01:00Z")
                .getInt("payments.total"), "half a second later the late-evening payment is outside");
        assertEquals(0, overview(shop, "?from=2026-03-01T00:00:00Z&to=2026-03-01T23:59:59.5Z")
                .getInt("payments.total"), "to is exclusive");

        // Partial days at both ends and whole days between: the same payments, whichever way each part is read.
        JsonPath mixed = overview(shop, "?from=2026-02-28T12:00:00Z&to=2026-03-03T06:00:00%2B03:00");
        assertEquals("2026-03-03T03:00:00Z", mixed.getString("to"));
        assertEquals(3, mixed.getInt("payments.total"));
        assertEquals(List.of(0, 1, 1, 0), mixed.getList("revenue.by_day.payments"));
        assertEquals(Map.of("KES", "40.00"), mixed.getMap("revenue.total"));
        Rollups.assertMatchRows(db, shop.owner().id());

        // A row deleted by hand leaves the rollups too.
        db.update("DELETE FROM payment WHERE id = ?::uuid", noonFailed);
        Rollups.assertMatchRows(db, shop.owner().id());
        assertEquals(2, overview(shop, "?from=2026-02-28&to=2026-03-04").getInt("payments.total"));
    }

    @Test
    void concurrentSettlementsKeepTheRollupsExact() throws Exception {
        Shop shop = Shop.simulated();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            ids.add(shop.paymentFor(Shop.randomMac()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> settled = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i);
                int code = i % 3 == 0 ? 1032 : 0;
                // Every payment is settled twice at once: only one of them may count.
                settled.add(pool.submit(() -> shop.simulate(id, code)));
                settled.add(pool.submit(() -> shop.simulate(id, code)));
            }
            for (Future<?> f : settled) {
                f.get();
            }
            // Late successes of the failed ones, concurrently, each twice.
            List<Future<?>> late = new ArrayList<>();
            for (int i = 0; i < ids.size(); i += 3) {
                String id = ids.get(i);
                late.add(pool.submit(() -> shop.owner().withJwt().post("/payments/" + id + "/mark-completed/")));
                late.add(pool.submit(() -> shop.owner().withJwt().post("/payments/" + id + "/mark-completed/")));
            }
            for (Future<?> f : late) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(24, db.queryLong("SELECT count(*) FROM payment WHERE owner_id = ? AND status = 'completed'",
                shop.owner().id()));
        Rollups.assertMatchRows(db, shop.owner().id());
        JsonPath o = overview(shop, "");
        assertEquals(24, o.getInt("payments.by_status.completed"));
        assertEquals(0, o.getInt("payments.by_status.failed"));
        assertEquals(Map.of("KES", "480.00"), o.getMap("revenue.total"));
        assertEquals(List.of(), o.getList("failures"));
        assertEquals(1.0, o.getDouble("success_rate"), 1e-9);
    }

    @Test
    void routersGrantsAndCallbacksAreCountedForTheOwner() {
        Shop shop = Shop.simulated();
        var owner = shop.owner();
        long offline = Fixtures.router(owner);
        Fixtures.router(owner); // never polled
        long push = Fixtures.router(owner, Map.of("host", "192.0.2.12", "port", 8728, "username", "billing",
                "password", "pw", "delivery", "push"));
        db.update("UPDATE router SET last_poll_at = now() WHERE id = ?", shop.routerId());
        db.update("UPDATE router SET last_poll_at = now() - interval '1 hour' WHERE id = ?", offline);
        db.update("INSERT INTO router_push_state (router_id, failures) VALUES (?, 2) "
                + "ON CONFLICT (router_id) DO UPDATE SET failures = 2", push);

        List<String> paid = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = shop.paymentFor(Shop.randomMac());
            shop.simulate(id, 0).statusCode(200);
            paid.add(id);
        }
        db.update("UPDATE access_grant SET state = 'on_router' WHERE last_payment_id = ?::uuid", paid.get(0));
        db.update("UPDATE access_grant SET expires_at = now() - interval '1 minute' WHERE last_payment_id = ?::uuid",
                paid.get(1));

        String callback = "INSERT INTO payment_event (payment_id, type, source, result_code, created_at) "
                + "VALUES (?::uuid, 'webhook_received', 'webhook', 'COMPLETE', %s)";
        db.update(callback.formatted("now()"), paid.get(0));
        db.update(callback.formatted("now() - interval '1 hour'"), paid.get(1));
        db.update(callback.formatted("now() - interval '40 days'"), paid.get(2));
        db.update("UPDATE payment_credential SET webhook_accepted = 5, webhook_rejected = 1, "
                + "webhook_last_outcome = 'rejected', webhook_last_at = now() WHERE id = ?", shop.credentialId());

        JsonPath o = overview(shop, "");
        assertEquals(4, o.getInt("routers.total"));
        assertEquals(Map.of("online", 1, "offline", 1, "never", 1), o.getMap("routers.poll"));
        assertEquals(Map.of("total", 1, "failing", 1), o.getMap("routers.push"));
        assertEquals(Map.of("live_grants", 2, "pending", 1, "on_router", 1), o.getMap("access"));
        assertEquals(2, o.getInt("callbacks.received"), "the one of 40 days ago is outside the range");
        assertEquals(Map.of("instasend", 2), o.getMap("callbacks.by_provider"));
        assertEquals(shop.credentialId(), o.getLong("callbacks.credentials[0].id"));
        assertEquals("instasend", o.getString("callbacks.credentials[0].provider"));
        assertEquals(5, o.getInt("callbacks.credentials[0].webhook_deliveries.accepted"));
        assertEquals(1, o.getInt("callbacks.credentials[0].webhook_deliveries.rejected"));
        assertEquals("rejected", o.getString("callbacks.credentials[0].webhook_deliveries.last_outcome"));
        assertEquals(1, overview(shop, "?from=" + Instant.now().minus(Duration.ofDays(41)).toString().substring(0, 10)
                + "&to=" + Instant.now().minus(Duration.ofDays(39))).getInt("callbacks.received"),
                "a range around 40 days ago holds that callback");
        Rollups.assertMatchRows(db, owner.id());
    }

    @Test
    void aPaymentWithoutAResultCodeFailsUnderNoCode() {
        Shop shop = Shop.simulated();
        String id = shop.paymentFor(Shop.randomMac());
        shop.owner().withJwt().post("/payments/" + id + "/mark-failed/").then().statusCode(200);
        JsonPath o = overview(shop, "");
        assertNull(o.get("failures[0].result_code"));
        assertNull(o.get("failures[0].recovery_hint"));
        assertEquals(1, o.getInt("failures[0].payments"));
        assertEquals(0.0, o.getDouble("success_rate"), 1e-9);
        assertNull(o.get("time_to_complete.median_seconds"));
    }

    private void at(String id, String createdAt, String completedAt) {
        db.update("UPDATE payment SET created_at = ?::timestamptz, completed_at = ?::timestamptz WHERE id = ?::uuid",
                createdAt, completedAt == null ? null : completedAt, id);
    }

    private static String today() {
        return Instant.now().toString().substring(0, 10);
    }

    static JsonPath overview(Shop shop, String query) {
        return shop.owner().withJwt().urlEncodingEnabled(false).get("/payments/overview/" + query).then()
                .statusCode(200).extract().jsonPath();
    }
}
