package org.hotspotbilling.payment;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class OwnerPaymentsTest {

    @Inject
    Db db;

    @Test
    void listIsPagedNewestFirstAndFiltered() {
        Shop shop = Shop.simulated();
        String a = shop.paymentFor(Shop.randomMac());
        String b = shop.paymentFor(Shop.randomMac());
        String c = shop.initiate(shop.purchase("0798765432", Shop.randomMac())).statusCode(201).extract().path("payment.id");
        shop.simulate(a, 0).statusCode(200);
        var owner = shop.owner();
        owner.withJwt().get("/payments/?page_size=2").then().statusCode(200)
                .body("count", equalTo(3)).body("results", hasSize(2)).body("results[0].id", equalTo(c));
        owner.withJwt().get("/payments/?page=2&page_size=2").then().body("results.id", equalTo(java.util.List.of(a)));
        owner.withJwt().get("/payments/?status=completed").then().body("count", equalTo(1)).body("results[0].id", equalTo(a));
        owner.withJwt().get("/payments/?phone=0798765432").then().body("results.id", equalTo(java.util.List.of(c)));
        owner.withJwt().get("/payments/?router=" + shop.routerId() + "&method=mpesa&date_from=2000-01-01&date_to=2999-01-01")
                .then().body("count", equalTo(3));
        owner.withJwt().get("/payments/?date_to=2000-01-01").then().body("count", equalTo(0));
        owner.withJwt().get("/payments/status/processing/").then().statusCode(200).body("count", equalTo(2))
                .body("results.status", everyItem(equalTo("processing")));
        owner.withJwt().get("/payments/method/mpesa/").then().statusCode(200).body("count", equalTo(3));
        owner.withJwt().get("/payments/" + b + "/").then().statusCode(200).body("id", equalTo(b));
    }

    @Test
    void nextPagesByKeysetThroughTheWholeListWithoutGapsOrRepeats() {
        Shop shop = Shop.simulated();
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            made.add(0, shop.paymentFor(Shop.randomMac()));
        }
        // Three payments written in the same microsecond: the id breaks the tie, the same way on every page.
        db.update("UPDATE payment SET created_at = (SELECT created_at FROM payment WHERE id = ?::uuid) "
                + "WHERE id IN (?::uuid, ?::uuid)", made.get(3), made.get(2), made.get(4));
        List<String> expected = db.queryStrings("SELECT id::text FROM payment WHERE owner_id = ? "
                + "ORDER BY created_at DESC, id DESC", shop.owner().id());

        List<String> seen = new ArrayList<>();
        String next = "/payments/?page_size=3&status=processing";
        int pages = 0;
        while (next != null) {
            var page = shop.owner().withJwt().urlEncodingEnabled(false).get(next).then().statusCode(200).extract();
            if (next.contains("cursor=")) {
                assertEquals((Object) null, page.path("page"), "a cursor page has no page number");
                assertEquals((Object) null, page.path("count"), "nor a count: the first page had it");
            } else {
                assertEquals(7, (int) page.path("count"));
                assertEquals(false, page.path("count_capped"));
            }
            seen.addAll(page.path("results.id"));
            next = page.path("next");
            if (next != null) {
                assertTrue(next.contains("cursor=") && next.contains("status=processing") && !next.contains("page="),
                        next);
                next = next.substring(next.indexOf("/payments/"));
            }
            pages++;
        }
        assertEquals(3, pages);
        assertEquals(expected, seen);
        // The first page of the numbered form also says where the keyset continues.
        String fromPage = shop.owner().withJwt().get("/payments/?page=1&page_size=3").then()
                .body("page", equalTo(1)).extract().path("next");
        assertTrue(fromPage.contains("cursor="), fromPage);
        shop.owner().withJwt().get("/payments/?page=3&page_size=3").then().body("results.id",
                equalTo(expected.subList(6, 7))).body("next", equalTo(null));
    }

    @Test
    void countStopsAtTenThousandInsteadOfCountingTheWholeHistory() {
        Shop shop = Shop.simulated();
        db.update("INSERT INTO payment (id, owner_id, router_id, plan_id, package_name, duration_hours, "
                + "download_speed_mbps, upload_speed_mbps, phone_number, amount, payment_method, payment_provider, "
                + "provider_mode, kind, status, created_at, updated_at) SELECT gen_random_uuid(), ?, ?, ?, '1 Hour', "
                + "1, 5, 2, '254700000000', 20, 'mpesa', 'instasend', 'simulator', 'stk_push', 'completed', "
                + "now() - make_interval(secs => g), now() FROM generate_series(1, 10005) g",
                shop.owner().id(), shop.routerId(), shop.planId());
        shop.owner().withJwt().get("/payments/?page_size=100").then().statusCode(200)
                .body("count", equalTo(10000)).body("count_capped", equalTo(true)).body("results", hasSize(100))
                .body("next", notNullValue());
        shop.owner().withJwt().get("/payments/?status=failed").then().body("count", equalTo(0))
                .body("count_capped", equalTo(false)).body("next", equalTo(null));
    }

    @ParameterizedTest(name = "cursor {0}")
    @ValueSource(strings = { "nonsense", "MTIzOm5vdC1hLXV1aWQ", "OTk5OTk5OTk5OTk5OTk5OTk5OTk6eA" })
    void aCursorThisApiDidNotGiveIs400(String cursor) {
        Shop shop = Shop.simulated();
        shop.owner().withJwt().get("/payments/?cursor=" + cursor).then().statusCode(400)
                .body("error", equalTo("cursor must be the next value of a previous page"));
    }

    @Test
    void unknownFilterValuesAre400() {
        Shop shop = Shop.simulated();
        var owner = shop.owner();
        owner.withJwt().get("/payments/status/paid/").then().statusCode(400).body("error", notNullValue());
        owner.withJwt().get("/payments/method/bitcoin/").then().statusCode(400);
        owner.withJwt().get("/payments/?status=paid").then().statusCode(400);
        owner.withJwt().get("/payments/?page=0").then().statusCode(400);
        owner.withJwt().get("/payments/?page_size=101").then().statusCode(400);
        owner.withJwt().get("/payments/?date_from=yesterday").then().statusCode(400);
        owner.withJwt().get("/payments/?router=abc").then().statusCode(400);
    }

    @Test
    void markCompletedGrantsOnceAndStateGuardsHold() {
        Shop shop = Shop.simulated();
        String mac = Shop.randomMac();
        String id = shop.paymentFor(mac);
        var owner = shop.owner();
        owner.withJwt().post("/payments/" + id + "/increment-retry/").then().statusCode(200)
                .body("payment.retry_count", equalTo(1));
        owner.withJwt().post("/payments/" + id + "/mark-completed/").then().statusCode(200)
                .body("payment.status", equalTo("completed")).body("payment.package_expiry_time", notNullValue());
        owner.withJwt().post("/payments/" + id + "/mark-completed/").then().statusCode(409);
        owner.withJwt().body(Map.of("error_message", "customer says no")).post("/payments/" + id + "/mark-failed/")
                .then().statusCode(409).body("error", notNullValue());
        owner.withJwt().post("/payments/" + id + "/increment-retry/").then().statusCode(409);
        assertEquals(1, db.queryLong("SELECT count(*) FROM payment_event WHERE payment_id = ?::uuid AND type = 'succeeded'", id));
        assertEquals("completed", db.queryString("SELECT status FROM payment WHERE id = ?::uuid", id));
    }

    @Test
    void markFailedFailsAnOpenPaymentOnce() {
        Shop shop = Shop.simulated();
        String id = shop.paymentFor(Shop.randomMac());
        shop.owner().withJwt().body(Map.of("error_message", "customer left")).post("/payments/" + id + "/mark-failed/")
                .then().statusCode(200).body("payment.status", equalTo("failed"))
                .body("payment.error_message", equalTo("Marked failed by the owner: customer left"));
        shop.owner().withJwt().post("/payments/" + id + "/mark-failed/").then().statusCode(409);
    }

    @Test
    void ownersCannotCreateOrEditPaymentsDirectly() {
        Shop shop = Shop.simulated();
        String id = shop.paymentFor(Shop.randomMac());
        String before = db.queryString("SELECT row_to_json(p)::text FROM payment p WHERE id = ?::uuid", id);
        var owner = shop.owner();
        Map<String, Object> forged = Map.of("status", "completed", "amount", "1.00", "router", 1);
        assertEquals(405, owner.withJwt().body(forged).post("/payments/").statusCode());
        assertEquals(405, owner.withJwt().body(forged).put("/payments/" + id + "/").statusCode());
        assertEquals(405, owner.withJwt().body(forged).patch("/payments/" + id + "/").statusCode());
        assertEquals(405, owner.withJwt().delete("/payments/" + id + "/").statusCode());
        assertEquals(before, db.queryString("SELECT row_to_json(p)::text FROM payment p WHERE id = ?::uuid", id));
    }

    @Test
    void anotherOwnersPaymentAnswers404Everywhere() {
        Shop victim = Shop.simulated();
        Shop intruder = Shop.simulated();
        String id = victim.paymentFor(Shop.randomMac());
        String before = db.queryString("SELECT row_to_json(p)::text FROM payment p WHERE id = ?::uuid", id);
        Map<String, Function<RequestSpecification, Response>> calls = new LinkedHashMap<>();
        calls.put("detail", r -> r.get("/payments/" + id + "/"));
        calls.put("events", r -> r.get("/payments/" + id + "/events/"));
        calls.put("mark-completed", r -> r.post("/payments/" + id + "/mark-completed/"));
        calls.put("mark-failed", r -> r.post("/payments/" + id + "/mark-failed/"));
        calls.put("increment-retry", r -> r.post("/payments/" + id + "/increment-retry/"));
        calls.put("simulate-callback", r -> r.body(Map.of("result_code", 0)).post("/payments/" + id + "/simulate-callback/"));
        calls.put("check-status", r -> r.post("/payments/intasend/" + id + "/check-status/"));
        calls.forEach((name, call) -> assertEquals(404, call.apply(intruder.owner().withJwt()).statusCode(), name));
        assertEquals(404, intruder.owner().asPortal().post("/payments/intasend/" + id + "/check-status/").statusCode());
        assertEquals(before, db.queryString("SELECT row_to_json(p)::text FROM payment p WHERE id = ?::uuid", id));
        intruder.owner().withJwt().get("/payments/").then().body("count", equalTo(0));
        victim.owner().asPortal().get("/payments/").then().statusCode(403);
    }
}
