package org.hotspotbilling.payment;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.DarajaFake;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.IntaSendFake;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The provider-neutral portal endpoints (docs/daraja.md "Which provider"): the owner's portal credential decides,
 * whichever provider; the IntaSend paths stay as aliases.
 */
@QuarkusTest
class NeutralPortalPaymentsTest {

    @Inject
    Db db;

    private static Map<String, Object> purchase(long router, long plan, String phone) {
        return new HashMap<>(Map.of("router_id", router, "package_id", plan, "phone_number", phone, "amount",
                "20.00", "mac_address", Shop.randomMac()));
    }

    @Test
    void theNeutralPathsServeAnIntaSendShopAndTheAliasesStillWork() {
        Shop shop = Shop.sandbox();
        String phone = "254712345678";
        String invoice = "NEU" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        IntaSendFake.pushAccepted(phone, invoice);
        String id = shop.owner().asPortal().body(shop.purchase(phone, Shop.randomMac())).post("/payments/initiate/")
                .then().statusCode(201).body("intasend.invoice_id", equalTo(invoice)).extract().path("payment.id");
        IntaSendFake.status(invoice, "COMPLETE", id, "\"20.00\"", null, null);
        shop.owner().asPortal().post("/payments/" + id + "/check-status/").then().statusCode(200)
                .body("status", equalTo("completed")).body("payment.phone_number", equalTo("2547*****678"));
        shop.owner().asPortal().post("/payments/intasend/" + id + "/check-status/").then().statusCode(200)
                .body("status", equalTo("completed"));
    }

    @Test
    void withoutCredentialsTheNeutralPathSaysSoAndTheIntaSendPathKeepsTheReferencesMessage() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        long plan = Fixtures.plan(owner, router, "20.00");
        owner.asPortal().body(purchase(router, plan, Shop.phone())).post("/payments/initiate/").then()
                .statusCode(404).body("error", containsString("IntaSend or M-Pesa"));
        owner.asPortal().body(purchase(router, plan, Shop.phone())).post("/payments/intasend/initiate/").then()
                .statusCode(404).body("error", equalTo(PaymentService.NO_CREDENTIALS));
    }

    @Test
    void anOwnerWithBothProvidersChoosesWhichOneThePortalUses() {
        Shop shop = Shop.sandbox();
        String consumerKey = "ck" + UUID.randomUUID().toString().replace("-", "");
        DarajaFake.tokens(consumerKey, "3599");
        long daraja = shop.owner().withJwt().body(Map.of("provider", "mpesa", "consumer_key", consumerKey,
                        "consumer_secret", DarajaFake.secretOf(consumerKey), "passkey", "pass-key-0123456789",
                        "short_code", "174379", "account_type", "paybill"))
                .post("/payments/credentials/").then().statusCode(201).body("used_by_portal", equalTo(false))
                .extract().jsonPath().getLong("id");
        // Both active, none chosen: IntaSend, as before Daraja existed.
        String phone = DarajaFlowTest.phone();
        IntaSendFake.pushAccepted(phone, "BOTH" + UUID.randomUUID().toString().substring(0, 6));
        shop.owner().asPortal().body(shop.purchase(phone, Shop.randomMac())).post("/payments/initiate/").then()
                .statusCode(201).body("payment.payment_provider", equalTo("instasend"));

        shop.owner().withJwt().post("/payments/credentials/" + daraja + "/use-for-portal/").then().statusCode(200)
                .body("used_by_portal", equalTo(true));
        shop.owner().withJwt().get("/payments/credentials/").then()
                .body("find { it.provider == 'instasend' }.used_by_portal", equalTo(false))
                .body("find { it.provider == 'mpesa' }.used_by_portal", equalTo(true));
        String second = DarajaFlowTest.phone();
        DarajaFake.pushAccepted(second, "m-both", DarajaFlowTest.checkoutId());
        shop.owner().asPortal().body(shop.purchase(second, Shop.randomMac())).post("/payments/intasend/initiate/")
                .then().statusCode(201).body("payment.payment_provider", equalTo("mpesa"));
        assertEquals(1, DarajaFake.pushesFor(second).size());

        // The chosen one deactivated: the other active one takes over.
        shop.owner().withJwt().post("/payments/credentials/" + daraja + "/toggle/").then().statusCode(200);
        String third = DarajaFlowTest.phone();
        IntaSendFake.pushAccepted(third, "BACK" + UUID.randomUUID().toString().substring(0, 6));
        shop.owner().asPortal().body(shop.purchase(third, Shop.randomMac())).post("/payments/initiate/").then()
                .statusCode(201).body("payment.payment_provider", equalTo("instasend"));
        Shop other = Shop.sandbox();
        other.owner().withJwt().post("/payments/credentials/" + daraja + "/use-for-portal/").then().statusCode(404);
    }

    @Test
    void theNeutralPathIsRateLimitedLikeTheAlias() {
        Shop shop = Shop.simulated();
        String phone = Shop.phone();
        for (int i = 0; i < 25; i++) {
            shop.owner().asPortal().body(shop.purchase(phone, Shop.randomMac())).post(i % 2 == 0
                    ? "/payments/initiate/" : "/payments/intasend/initiate/").then().statusCode(201);
        }
        shop.owner().asPortal().body(shop.purchase(phone, Shop.randomMac())).post("/payments/initiate/").then()
                .statusCode(429).header("Retry-After", notNullValue());
    }

    @Test
    void aDarajaSimulatorPaymentGoesThroughTheCallbackAndTheQuery() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        long plan = Fixtures.plan(owner, router, "20.00");
        owner.withJwt().body(Map.of("provider", "mpesa", "consumer_key", "sim", "consumer_secret", "sim-secret-x",
                "environment", "simulator")).post("/payments/credentials/").then().statusCode(201);
        String paid = owner.asPortal().body(purchase(router, plan, Shop.phone())).post("/payments/initiate/").then()
                .statusCode(201).body("intasend.invoice_id", containsString("ws_CO_")).extract().path("payment.id");
        owner.withJwt().body(Map.of("result_code", 0)).post("/payments/" + paid + "/simulate-callback/").then()
                .statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> "completed".equals(
                db.queryString("SELECT status FROM payment WHERE id = ?::uuid", paid)));
        owner.withJwt().get("/payments/" + paid + "/events/").then()
                .body("events.type", hasItem("webhook_received"))
                .body("events.result_desc", hasItem(containsString("receipt SIM")));

        String cancelled = owner.asPortal().body(purchase(router, plan, Shop.phone())).post("/payments/initiate/")
                .then().statusCode(201).extract().path("payment.id");
        owner.withJwt().body(Map.of("result_code", 1032)).post("/payments/" + cancelled + "/simulate-callback/")
                .then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(
                db.queryString("SELECT status FROM payment WHERE id = ?::uuid", cancelled)));
        owner.asPortal().post("/payments/" + cancelled + "/check-status/").then()
                .body("recovery_hint", containsString("cancelled the prompt"));
    }
}
