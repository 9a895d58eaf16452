package org.hotspotbilling.payment;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** SPEC "Rules of initiate", each refused with its message and nothing written. */
@QuarkusTest
class InitiateRulesTest {

    @Inject
    Db db;

    Shop shop;
    String phone = Shop.phone();
    long paymentsBefore;

    @BeforeEach
    void setUp() {
        shop = Shop.simulated();
        paymentsBefore = db.count("payment");
    }

    private void nothingWritten() {
        assertEquals(paymentsBefore, db.count("payment"));
    }

    @Test
    void routerOfAnotherOwnerIs404() {
        Shop other = Shop.simulated();
        Map<String, Object> body = shop.purchase(phone);
        body.put("router_id", other.routerId());
        shop.initiate(body).statusCode(404).body("error", equalTo("Router not found or access denied"));
        nothingWritten();
    }

    @Test
    void packageOfAnotherRouterOrInactiveIs400() {
        long otherRouter = Fixtures.router(shop.owner());
        long elsewhere = Fixtures.plan(shop.owner(), otherRouter, "20.00");
        Map<String, Object> body = shop.purchase(phone);
        body.put("package_id", elsewhere);
        shop.initiate(body).statusCode(400).body("error", equalTo("Package not found or not active for this router"));
        shop.owner().withJwt().body(Map.of("is_active", false)).patch("/routers/packages/" + shop.planId() + "/")
                .then().statusCode(200);
        shop.initiate(shop.purchase(phone)).statusCode(400)
                .body("error", equalTo("Package not found or not active for this router"));
        nothingWritten();
    }

    @ParameterizedTest(name = "amount {0} is refused")
    @ValueSource(strings = { "19.99", "20.001", "0", "-20", "200" })
    void amountMustEqualThePrice(String amount) {
        Map<String, Object> body = shop.purchase(phone);
        body.put("amount", amount);
        shop.initiate(body).statusCode(400).body("error", equalTo("Amount must match package price: 20.00 KES"));
        nothingWritten();
    }

    @Test
    void equalAmountsInAnyFormAreAccepted() {
        for (Object amount : new Object[] { 20, "20", "20.0", 20.00, "20.00" }) {
            Map<String, Object> body = shop.purchase(phone);
            body.put("amount", amount);
            body.put("router_id", String.valueOf(shop.routerId()));
            body.put("package_id", String.valueOf(shop.planId()));
            shop.initiate(body).statusCode(201).body("payment.amount", equalTo("20.00"));
        }
    }

    @ParameterizedTest(name = "phone {0} becomes {1}")
    @CsvSource({ "0712345678,254712345678", "0112345678,254112345678", "254712345678,254712345678",
            "+254712345678,254712345678", "254112345678,254112345678", "0712 345 678,254712345678",
            "+254-712-345-678,254712345678" })
    void kenyanPhoneFormsAreNormalised(String phone, String normalised) {
        shop.initiate(shop.purchase(phone)).statusCode(201).body("payment.phone_number", equalTo(normalised));
    }

    @ParameterizedTest(name = "phone {0} is refused")
    @ValueSource(strings = { "0812345678", "071234567", "07123456789", "254812345678", "+1 555 0100", "abc",
            "0712345678x", "2547123456789", "٠٧١٢٣٤٥٦٧٨" })
    void otherPhonesAreRefused(String phone) {
        shop.initiate(shop.purchase(phone)).statusCode(400).body("error", equalTo("Invalid phone number format"));
        nothingWritten();
    }

    @ParameterizedTest(name = "MAC {0} becomes {1}")
    @CsvSource({ "aa:bb:cc:dd:ee:f0,AA:BB:CC:DD:EE:F0", "AA-BB-CC-DD-EE-F0,AA:BB:CC:DD:EE:F0",
            "02:00:00:00:00:01,02:00:00:00:00:01" })
    void macAddressesAreNormalised(String mac, String normalised) {
        shop.initiate(shop.purchase(phone, mac)).statusCode(201).body("payment.mac_address", equalTo(normalised));
    }

    @ParameterizedTest(name = "MAC {0} is refused")
    @ValueSource(strings = { "AA:BB:CC:DD:EE", "AA:BB-CC:DD:EE:FF", "GG:BB:CC:DD:EE:FF", "AABBCCDDEEFF",
            "FF:FF:FF:FF:FF:FF", "01:00:5E:00:00:01", "AA:BB:CC:DD:EE:FF:00" })
    void badMacsAreRefused(String mac) {
        shop.initiate(shop.purchase(phone, mac)).statusCode(400).body("error", equalTo("Invalid MAC address format"));
        nothingWritten();
    }

    @ParameterizedTest(name = "a portal {0} without a MAC is refused")
    @ValueSource(strings = { "initiate", "create-link" })
    void aPortalPurchaseMustNameTheDevice(String endpoint) {
        for (String mac : new String[] { null, "", "  " }) {
            Map<String, Object> body = shop.purchase(phone, null);
            if (mac != null) {
                body.put("mac_address", mac);
            }
            shop.owner().asPortal().body(body).post("/payments/intasend/" + endpoint + "/").then().statusCode(400)
                    .body("error", equalTo("mac_address is required: it is the device the package is for"))
                    .body("fields.mac_address", equalTo("This field is required."));
        }
        nothingWritten();
    }

    @Test
    void anOwnerCallerMayLeaveTheDeviceOut() {
        shop.owner().withJwt().body(shop.purchase(phone, null)).post("/payments/intasend/initiate/").then()
                .statusCode(201).body("payment.mac_address", equalTo(null));
        shop.owner().withKeyPair().body(shop.purchase(Shop.phone(), null)).post("/payments/intasend/create-link/")
                .then().statusCode(201);
    }

    @ParameterizedTest(name = "IP {0} is refused")
    @ValueSource(strings = { "300.1.1.1", "10.0.0", "abc", "10.0.0.1/24", "::g" })
    void badIpsAreRefused(String ip) {
        Map<String, Object> body = shop.purchase(phone);
        body.put("ip_address", ip);
        shop.initiate(body).statusCode(400).body("error", equalTo("Invalid IP address format"));
        nothingWritten();
    }

    @Test
    void ipv4AndIpv6AreAccepted() {
        for (String ip : new String[] { "10.5.50.2", "2001:db8::2" }) {
            Map<String, Object> body = shop.purchase(phone);
            body.put("ip_address", ip);
            shop.initiate(body).statusCode(201).body("payment.ip_address", equalTo(ip));
        }
    }

    @Test
    void noActiveCredentialsIs404AndNothingIsCharged() {
        shop.owner().withJwt().post("/payments/credentials/" + shop.credentialId() + "/toggle/").then().statusCode(200);
        shop.initiate(shop.purchase(phone)).statusCode(404).body("error", equalTo(
                "No active IntaSend credentials found. Please add your IntaSend API credentials first."));
        var owner = Owners.register();
        long router = Fixtures.router(owner);
        long plan = Fixtures.plan(owner, router, "20.00");
        owner.asPortal().body(Map.of("router_id", router, "package_id", plan, "phone_number", "0712345678",
                "amount", "20.00", "mac_address", Shop.randomMac())).post("/payments/intasend/initiate/").then().statusCode(404);
        nothingWritten();
    }

    @ParameterizedTest(name = "missing {0}")
    @ValueSource(strings = { "router_id", "package_id", "phone_number", "amount" })
    void requiredFieldsAreRequired(String field) {
        Map<String, Object> body = shop.purchase(phone);
        body.remove(field);
        shop.initiate(body).statusCode(400)
                .body("error", equalTo("router_id, package_id, phone_number, and amount are required"));
        nothingWritten();
    }

    @Test
    void malformedBodiesAndUnknownMethodsAre400() {
        for (String body : new String[] { "", "[]", "{", "{\"router_id\": \"seven\"}", "{\"amount\": true}" }) {
            shop.owner().asPortal().body(body).post("/payments/intasend/initiate/").then().statusCode(400);
        }
        Map<String, Object> body = shop.purchase(phone);
        body.put("payment_method", "bitcoin");
        shop.initiate(body).statusCode(400);
        nothingWritten();
    }

    @Test
    void portalCallNeedsAValidPublicKey() {
        io.restassured.RestAssured.given().contentType("application/json").header("X-Public-Key", "nothex")
                .body(shop.purchase(phone)).post("/payments/intasend/initiate/")
                .then().statusCode(401);
        io.restassured.RestAssured.given().contentType("application/json")
                .body(shop.purchase(phone)).post("/payments/intasend/initiate/")
                .then().statusCode(401);
        nothingWritten();
    }
}
