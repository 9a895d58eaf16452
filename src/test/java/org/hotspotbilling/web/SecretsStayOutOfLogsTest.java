package org.hotspotbilling.web;

import io.quarkus.test.junit.QuarkusTest;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.IntaSendFake;
import org.hotspotbilling.testing.LogCapture;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the app logs while secrets pass through it (passwords, API private keys, provider keys, webhook challenges,
 * router passwords, poll tokens, JWTs), including failures that log a stack trace, never contains any of them: the
 * text and JSON logs (README, "Logs") are written from the same records, so a secret kept out of the records is
 * kept out of both.
 */
@QuarkusTest
class SecretsStayOutOfLogsTest {

    @Test
    void noSecretReachesTheLog() {
        List<String> secrets;
        List<LogCapture.Line> lines;
        try (LogCapture log = LogCapture.start()) {
            TestOwner owner = Owners.register();
            given().contentType("application/json").body(Map.of("username", owner.username(), "password",
                    Owners.PASSWORD + "-wrong")).post("/users/login/").then().statusCode(401);

            String routerPassword = "rtr-" + UUID.randomUUID();
            long router = Fixtures.router(owner, Map.of("host", "127.0.0.1", "port", 9, "username", "billing",
                    "password", routerPassword));
            // The router is not there: the failure is logged, its password is not.
            owner.withJwt().post("/routers/" + router + "/test-connection").then().statusCode(200);
            String pollToken = owner.withJwt().post("/routers/" + router + "/rotate-token/").then().statusCode(200)
                    .extract().path("poll_token");
            given().header("Authorization", "Bearer " + pollToken)
                    .get("/routers/" + router + "/authorized-macs/?format=text").then().statusCode(200);
            given().get("/routers/" + router + "/authorized-macs/?format=text&token=" + pollToken + "x").then()
                    .statusCode(401);

            String privateKey = "ISSecretKey_test_" + UUID.randomUUID();
            long plan = Fixtures.plan(owner, router, "20.00");
            long credential = owner.withJwt().body(Map.of("provider", "instasend", "api_key", "ISPubKey_test_"
                    + UUID.randomUUID(), "private_key", privateKey, "environment", "sandbox"))
                    .post("/payments/credentials/").then().statusCode(201).extract().jsonPath().getLong("id");
            String challenge = owner.withJwt().post("/payments/credentials/" + credential + "/webhook-secret/").then()
                    .statusCode(200).extract().path("challenge");
            // IntaSend's connection drops: an unknown outcome, logged with the request that was sent.
            String phone = Shop.phone();
            IntaSendFake.pushAnswers("254" + phone.substring(1), IntaSendFake.reset());
            owner.asPortal().body(Map.of("router_id", router, "package_id", plan, "phone_number", phone,
                    "amount", "20.00", "mac_address", Shop.randomMac()))
                    .post("/payments/initiate/").then().statusCode(202);
            String url = owner.withJwt().get("/payments/credentials/" + credential + "/").then()
                    .extract().path("webhook_url");
            given().contentType("application/json").body(Map.of("invoice_id", "X", "state", "COMPLETE",
                    "challenge", challenge + "x")).post(url).then().statusCode(401);
            given().contentType("application/json").body(Map.of("invoice_id", "X", "state", "COMPLETE",
                    "challenge", challenge)).post(url).then().statusCode(200);

            secrets = List.of(Owners.PASSWORD, owner.privateKey(), owner.accessToken(), owner.refreshToken(),
                    routerPassword, pollToken, privateKey,
                    challenge);
            lines = log.lines();
        }
        assertTrue(lines.stream().anyMatch(l -> l.message().contains("wrong or unset challenge")),
                "the rejected webhook was not logged: the capture saw nothing");
        for (LogCapture.Line line : lines) {
            for (String secret : secrets) {
                assertFalse(line.all().contains(secret), "A secret was logged: " + line.all());
            }
        }
    }
}
