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

/**
 * Nobody can spam STK pushes: initiate is limited per phone (across owners), per device, per owner's public key,
 * and per caller address. Test sizes: application.properties, test profile.
 */
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
            first.initiate(first.purchase(phone)).statusCode(201);
        }
        for (int i = 0; i < 5; i++) {
            second.initiate(second.purchase(phone)).statusCode(201);
        }
        long payments = db.count("payment");
        String retryAfter = second.initiate(second.purchase(phone)).statusCode(429)
                .body("error", containsString("Too many requests"))
                .header("Retry-After", notNullValue())
                .extract().header("Retry-After");
        assertTrue(Long.parseLong(retryAfter) >= 1, retryAfter);
        second.owner().asPortal().body(second.purchase(phone)).post("/payments/intasend/create-link/")
                .then().statusCode(429);
        assertEquals(payments, db.count("payment"), "a refused request writes nothing");
        second.initiate(second.purchase(Shop.phone())).statusCode(201);
    }

    @Test
    void aPublicKeyGetsAtMostItsQuotaOfPurchases() {
        Shop shop = Shop.simulated();
        for (int i = 0; i < 30; i++) {
            shop.initiate(shop.purchase(Shop.phone())).statusCode(201);
        }
        shop.initiate(shop.purchase(Shop.phone())).statusCode(429).header("Retry-After", notNullValue());
        Shop other = Shop.simulated();
        other.initiate(other.purchase(Shop.phone())).statusCode(201);
    }

    @Test
    void aDeviceGetsAtMostItsQuotaOfPurchasesWhateverPhonePays() {
        Shop shop = Shop.simulated();
        String mac = Shop.randomMac();
        for (int i = 0; i < 25; i++) {
            shop.initiate(shop.purchase(Shop.phone(), mac)).statusCode(201);
        }
        shop.initiate(shop.purchase(Shop.phone(), mac)).statusCode(429).header("Retry-After", notNullValue());
        shop.initiate(shop.purchase(Shop.phone(), Shop.randomMac())).statusCode(201);
    }

    @Test
    void oneAddressGetsAtMostItsQuotaAcrossPublicKeysButOwnerCallersHaveNoAddressLimit() {
        Shop first = Shop.simulated();
        Shop second = Shop.simulated();
        String address = "203.0.113." + java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 255);
        for (int i = 0; i < 20; i++) {
            first.owner().asPortalFrom(address).body(first.purchase(Shop.phone()))
                    .post("/payments/intasend/initiate/").then().statusCode(201);
            second.owner().asPortalFrom(address).body(second.purchase(Shop.phone()))
                    .post("/payments/intasend/create-link/").then().statusCode(201);
        }
        long payments = db.count("payment");
        second.owner().asPortalFrom(address).body(second.purchase(Shop.phone()))
                .post("/payments/intasend/initiate/").then().statusCode(429).header("Retry-After", notNullValue())
                .body("error", containsString("Too many requests"));
        assertEquals(payments, db.count("payment"), "a refused request writes nothing");
        // The same hotspot's other customers are not who flooded: only that address is limited.
        second.initiate(second.purchase(Shop.phone())).statusCode(201);
        second.owner().withJwt().header("X-Forwarded-For", address).body(second.purchase(Shop.phone()))
                .post("/payments/intasend/initiate/").then().statusCode(201);
    }

    @Test
    void aRefusalWithAnIdempotencyKeyLeavesTheKeyFreeAndKeepsTheTokensTakenBeforeIt() {
        Shop shop = Shop.simulated();
        String phone = Shop.phone();
        for (int i = 0; i < 25; i++) {
            shop.initiate(shop.purchase(phone)).statusCode(201);
        }
        String key = java.util.UUID.randomUUID().toString();
        String mac = Shop.randomMac();
        shop.owner().asPortal().header("Idempotency-Key", key).body(shop.purchase(phone, mac))
                .post("/payments/intasend/initiate/").then().statusCode(429);
        assertEquals(0, db.queryLong("SELECT count(*) FROM idempotency_key WHERE owner_id = ? AND idem_key = ?",
                shop.owner().id(), key), "the key is free for a later try");
        // The device's token was taken before the phone's refusal, and stays taken, as the address's and owner's.
        assertEquals(1, db.queryLong("SELECT count(*) FROM rate_limit_shard WHERE bucket LIKE ?", "payment-per-mac:%:"
                + mac));
        shop.owner().asPortal().header("Idempotency-Key", key).body(shop.purchase(Shop.phone(), mac))
                .post("/payments/intasend/initiate/").then().statusCode(201);
    }
}
