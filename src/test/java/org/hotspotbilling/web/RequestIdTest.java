package org.hotspotbilling.web;

import io.quarkus.test.junit.QuarkusTest;
import org.hotspotbilling.testing.LogCapture;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Every answer carries a request id, and the log lines of a request carry the same id (README, "Logs"). */
@QuarkusTest
class RequestIdTest {

    private static final String NEW_ID = "[0-9a-f]{16}";

    @Test
    void everyAnswerCarriesANewIdWhenTheCallerSentNone() {
        String first = given().get("/routers/").then().statusCode(401)
                .header(RequestIds.HEADER, matchesPattern(NEW_ID)).extract().header(RequestIds.HEADER);
        String second = given().get("/q/health/live").then().statusCode(200)
                .header(RequestIds.HEADER, matchesPattern(NEW_ID)).extract().header(RequestIds.HEADER);
        assertNotEquals(first, second);
        // An unknown path, a malformed body and the router poll: error answers of every kind carry it.
        given().get("/no-such-path/").then().statusCode(404).header(RequestIds.HEADER, matchesPattern(NEW_ID));
        given().contentType("application/json").body("{").post("/users/login/").then().statusCode(400)
                .header(RequestIds.HEADER, matchesPattern(NEW_ID));
        given().header("Authorization", "Bearer " + "0".repeat(64)).get("/routers/1/authorized-macs/").then()
                .statusCode(401).header(RequestIds.HEADER, matchesPattern(NEW_ID));
    }

    @Test
    void aCallersPlainIdIsKeptAndAnythingElseReplaced() {
        given().header(RequestIds.HEADER, "proxy-7f3a.1:2").get("/q/health/live").then()
                .header(RequestIds.HEADER, equalTo("proxy-7f3a.1:2"));
        given().header(RequestIds.HEADER, "a b\"c").get("/q/health/live").then()
                .header(RequestIds.HEADER, matchesPattern(NEW_ID));
        given().header(RequestIds.HEADER, "x".repeat(65)).get("/q/health/live").then()
                .header(RequestIds.HEADER, matchesPattern(NEW_ID));
    }

    @Test
    void theLogLinesOfARequestCarryItsId() {
        Shop shop = Shop.simulated();
        String challenge = shop.webhookChallenge();
        String url = shop.owner().withJwt().get("/payments/credentials/" + shop.credentialId() + "/").then()
                .extract().path("webhook_url");
        String id = "req-" + UUID.randomUUID();
        try (LogCapture log = LogCapture.start()) {
            // A delivery naming no payment of ours is answered 200 and logged (on a worker thread).
            given().contentType("application/json").header(RequestIds.HEADER, id)
                    .body(Map.of("invoice_id", "NOT-OURS", "state", "COMPLETE", "challenge", challenge))
                    .post(url).then().statusCode(200).header(RequestIds.HEADER, equalTo(id));
            await().atMost(Duration.ofSeconds(5)).until(() -> log.lines().stream().anyMatch(line ->
                    line.message().contains("names no payment of ours")
                            && id.equals(line.mdc().get(RequestIds.MDC_KEY))));
        }
    }
}
