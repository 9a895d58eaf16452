package org.hotspotbilling.overview;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The overview's range, its refusals, who may ask and whose payments it counts (docs/overview.md). */
@QuarkusTest
class OverviewRequestTest {

    @Test
    void theRangeDefaultsToTheLast30DaysEndingNow() {
        TestOwner owner = Owners.register();
        Instant before = Instant.now();
        JsonPath o = get(owner, "");
        Instant to = Instant.parse(o.getString("to"));
        assertTrue(!to.isBefore(before.minusSeconds(1)) && !to.isAfter(Instant.now()), "to is now: " + to);
        assertEquals(Duration.ofDays(30), Duration.between(Instant.parse(o.getString("from")), to));

        // Empty values count as absent, as in the payment list.
        JsonPath empty = get(owner, "?from=&to=");
        assertEquals(Duration.ofDays(30), Duration.between(Instant.parse(empty.getString("from")),
                Instant.parse(empty.getString("to"))));

        JsonPath toOnly = get(owner, "?to=2026-03-10");
        assertEquals("2026-02-08T00:00:00Z", toOnly.getString("from"));
        assertEquals("2026-03-10T00:00:00Z", toOnly.getString("to"));
        assertEquals(30, toOnly.getList("revenue.by_day").size());
        assertEquals("2026-03-09", toOnly.getString("revenue.by_day[-1].day"), "to is exclusive");

        String fiveDaysAgo = Instant.now().minus(Duration.ofDays(5)).toString().substring(0, 10);
        JsonPath fromOnly = get(owner, "?from=" + fiveDaysAgo);
        assertEquals(fiveDaysAgo + "T00:00:00Z", fromOnly.getString("from"));
        assertTrue(Duration.between(Instant.parse(fromOnly.getString("to")), Instant.now()).getSeconds() < 5);
    }

    @Test
    void aRangeOf366DaysIsTheLongest() {
        TestOwner owner = Owners.register();
        assertEquals(366, get(owner, "?from=2025-01-01&to=2026-01-02").getList("revenue.by_day").size());
        assertEquals(366, get(owner, "?from=2025-01-01T06:00:00Z&to=2026-01-02T06:00:00Z")
                .getList("revenue.by_day").size() - 1, "367 days touched, 366 days long");
        owner.withJwt().get("/payments/overview/?from=2025-01-01&to=2026-01-02T00:00:00.000001Z").then()
                .statusCode(400).body("error", equalTo("The range is at most 366 days"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "from=yesterday | from must be a date (2026-11-23) or an ISO-8601 instant (2026-11-23T08:00:00Z)",
            "to=2026-02-30 | to must be a date (2026-11-23) or an ISO-8601 instant (2026-11-23T08:00:00Z)",
            "to=2026-03-01T10:00:00 | to must be a date (2026-11-23) or an ISO-8601 instant (2026-11-23T08:00:00Z)",
            "to=1700000000 | to must be a date (2026-11-23) or an ISO-8601 instant (2026-11-23T08:00:00Z)",
            "from=2026-03-02&to=2026-03-01 | from must be before to",
            "from=2026-03-02&to=2026-03-02 | from must be before to",
            "from=2026-03-02T10:00:00Z&to=2026-03-02T09:59:59Z | from must be before to",
            "from=2025-01-01&to=2026-01-03 | The range is at most 366 days",
            "to=2026-03-01&from=2024-03-01 | The range is at most 366 days",
            "from=1999-12-31&to=2000-01-02 | from must lie between 2000-01-01 and 9999-12-31",
            "from=+100000-01-01T00:00:00Z | from must lie between 2000-01-01 and 9999-12-31",
    })
    void badRangesAre400(String query, String error) {
        TestOwner owner = Owners.register();
        owner.withJwt().urlEncodingEnabled(false).get("/payments/overview/?" + query.replace("+", "%2B")).then()
                .statusCode(400).body("error", equalTo(error));
    }

    @Test
    void unknownParametersAreIgnoredAsByThePaymentList() {
        TestOwner owner = Owners.register();
        owner.withJwt().get("/payments/?colour=blue").then().statusCode(200);
        JsonPath o = get(owner, "?from=2026-03-01&to=2026-03-02&colour=blue");
        assertEquals("2026-03-01T00:00:00Z", o.getString("from"));
    }

    @Test
    void aFreshOwnerSeesZerosAndNeverAnotherOwnersPayments() {
        Shop busy = Shop.simulated();
        String paid = busy.paymentFor(Shop.randomMac());
        busy.simulate(paid, 0).statusCode(200);
        busy.simulate(busy.paymentFor(Shop.randomMac()), 1032).statusCode(200);
        busy.paymentFor(Shop.randomMac());
        assertEquals(3, get(busy.owner(), "").getInt("payments.total"));

        Shop neighbour = Shop.simulated();
        JsonPath theirs = get(neighbour.owner(), "");
        assertEquals(0, theirs.getInt("payments.total"));
        assertEquals(1, theirs.getInt("routers.total"), "its own router only");
        assertEquals(neighbour.credentialId(), theirs.getLong("callbacks.credentials[0].id"));
        assertEquals(1, theirs.getList("callbacks.credentials").size());

        JsonPath fresh = get(Owners.register(), "");
        assertEquals(0, fresh.getInt("payments.total"));
        assertEquals(Map.of("pending", 0, "processing", 0, "completed", 0, "failed", 0, "cancelled", 0),
                fresh.getMap("payments.by_status"));
        assertEquals(Map.of(), fresh.getMap("payments.by_provider"));
        assertEquals(Map.of(), fresh.getMap("revenue.total"));
        assertEquals(31, fresh.getList("revenue.by_day").size());
        assertTrue(fresh.<Integer>getList("revenue.by_day.payments").stream().allMatch(n -> n == 0));
        assertNull(fresh.get("success_rate"));
        assertEquals(List.of(), fresh.getList("failures"));
        assertEquals(0, fresh.getInt("time_to_complete.payments"));
        assertNull(fresh.get("time_to_complete.median_seconds"));
        assertNull(fresh.get("time_to_complete.p95_seconds"));
        assertEquals(Map.of("total", 0, "poll", Map.of("online", 0, "offline", 0, "never", 0),
                "push", Map.of("total", 0, "failing", 0)), fresh.getMap("routers"));
        assertEquals(Map.of("live_grants", 0, "pending", 0, "on_router", 0), fresh.getMap("access"));
        assertEquals(Map.of("received", 0, "by_provider", Map.of(), "credentials", List.of()),
                fresh.getMap("callbacks"));
    }

    @Test
    void onlyTheOwnerMayAskWithOrWithoutTheSlashAsDocumented() {
        TestOwner owner = Owners.register();
        given().get("/payments/overview/").then().statusCode(401);
        owner.asPortal().get("/payments/overview/").then().statusCode(403);
        owner.asPortal().get("/payments/overview").then().statusCode(403);
        given().header("Authorization", "Bearer not-a-token").get("/payments/overview/").then().statusCode(401);
        owner.withJwt().get("/payments/overview").then().statusCode(200).body("payments.total", equalTo(0));
        owner.withKeyPair().get("/payments/overview/").then().statusCode(200).body("payments.total", equalTo(0));
        given().header("X-API-Key", owner.publicKey()).header("X-Private-Key", "0".repeat(64))
                .get("/payments/overview/").then().statusCode(401);
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/payments/overview'.get.security[0].jwt", org.hamcrest.Matchers.notNullValue())
                .body("paths.'/payments/overview'.get.security[1].apiKey", org.hamcrest.Matchers.notNullValue())
                .body("paths.'/payments/overview'.get.parameters.name", org.hamcrest.Matchers.hasItems("from", "to"));
    }

    private static JsonPath get(TestOwner owner, String query) {
        return owner.withJwt().urlEncodingEnabled(false).get("/payments/overview/" + query).then().statusCode(200)
                .extract().jsonPath();
    }
}
