package org.hotspotbilling.payment;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
