package org.hotspotbilling.payment;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nobody can spam STK pushes: initiate is limited per phone (across owners) and per owner's public key. */
@QuarkusTest
class PaymentRateLimitTest {

    @Inject
    Db db;

    @Test
    void aPhoneGetsAtMostItsQuotaOfPromptsWhoeverAsks() {
        Shop first = Shop.simulated();
        Shop second = Shop.simulated();
        String phone = Shop.phone();
        for (int i = 0; i < 20; i++) {
            first.initiate(first.purchase(phone, null)).statusCode(201);
        }
        for (int i = 0; i < 5; i++) {
            second.initiate(second.purchase(phone, null)).statusCode(201);
        }
        long payments = db.count("payment");
        String retryAfter = second.initiate(second.purchase(phone, null)).statusCode(429)
                .body("error", containsString("Too many requests"))
                .header("Retry-After", notNullValue())
                .extract().header("Retry-After");
        assertTrue(Long.parseLong(retryAfter) >= 1, retryAfter);
        second.owner().asPortal().body(second.purchase(phone, null)).post("/payments/intasend/create-link/")
                .then().statusCode(429);
        assertEquals(payments, db.count("payment"), "a refused request writes nothing");
        second.initiate(second.purchase(Shop.phone(), null)).statusCode(201);
    }

    @Test
    void aPublicKeyGetsAtMostItsQuotaOfPurchases() {
        Shop shop = Shop.simulated();
        for (int i = 0; i < 30; i++) {
            shop.initiate(shop.purchase(Shop.phone(), null)).statusCode(201);
        }
        shop.initiate(shop.purchase(Shop.phone(), null)).statusCode(429).header("Retry-After", notNullValue());
        Shop other = Shop.simulated();
        other.initiate(other.purchase(Shop.phone(), null)).statusCode(201);
    }
}
