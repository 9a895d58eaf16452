package org.hotspotbilling.plan;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class PlanTest {

    @Inject
    Db db;

    @Test
    void createShowsTheReferenceFieldsWithAPriceOfTwoDecimals() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner, Map.of("name", "Kisumu", "host", "10.0.0.1", "username", "api"));
        owner.withJwt().body(Map.of("name", "1 Hour", "router", router, "package_type", "hourly", "duration_hours", 1,
                        "price", 20, "download_speed_mbps", 5, "upload_speed_mbps", 2))
                .post("/routers/packages/")
                .then().statusCode(201)
                .body("price", equalTo("20.00"))
                .body("currency", equalTo("KES"))
                .body("router", equalTo((int) router))
                .body("router_name", equalTo("Kisumu"))
                .body("package_type_display", equalTo("Hourly Package"))
                .body("duration_display", equalTo("1 hour"))
                .body("speed_display", equalTo("5 Mbps / 2 Mbps"))
                .body("shared_users", equalTo(1))
                .body("data_limit_mb", nullValue())
                .body("is_active", equalTo(true));
    }

    @Test
    void numericStringsAndTrailingZerosAreAcceptedAsTheSameAmount() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        long id = Fixtures.plan(owner, router, Map.of("price", "49.5", "duration_hours", "3", "shared_users", 2,
                "data_limit_mb", 1024));
        owner.withJwt().get("/routers/packages/" + id + "/").then()
                .body("price", equalTo("49.50")).body("duration_hours", equalTo(3))
                .body("shared_users", equalTo(2)).body("data_limit_mb", equalTo(1024));
        long other = Fixtures.plan(owner, router, Map.of("price", 50.000));
        owner.withJwt().get("/routers/packages/" + other + "/").then().body("price", equalTo("50.00"));
        assertEquals("50.00", db.queryString("SELECT price::text FROM plan WHERE id = ?", other));
    }

    @Test
    void monthlyDurationsDisplayInMonthsOrDays() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        long month = Fixtures.plan(owner, router, Map.of("package_type", "monthly", "duration_hours", 720));
        long week = Fixtures.plan(owner, router, Map.of("package_type", "monthly", "duration_hours", 168));
        owner.withJwt().get("/routers/packages/" + month).then().body("duration_display", equalTo("1 month"));
        owner.withJwt().get("/routers/packages/" + week).then().body("duration_display", equalTo("7 days"));
    }

    @Test
    void namesAreUniquePerRouterOnly() {
        TestOwner owner = Owners.register();
        long first = Fixtures.router(owner);
        long second = Fixtures.router(owner);
        Fixtures.plan(owner, first, Map.of("name", "Daily"));
        long count = db.count("plan");
        owner.withJwt().body(Map.of("name", "Daily", "router", first, "package_type", "hourly", "duration_hours", 24,
                        "price", "50.00", "download_speed_mbps", 5, "upload_speed_mbps", 2))
                .post("/routers/packages/")
                .then().statusCode(400)
                .body("error", equalTo("A package with name 'Daily' already exists for this router."));
        assertEquals(count, db.count("plan"));
        Fixtures.plan(owner, second, Map.of("name", "Daily"));
        long renamed = Fixtures.plan(owner, first, Map.of("name", "Weekly"));
        owner.withJwt().body(Map.of("name", "Daily")).patch("/routers/packages/" + renamed + "/")
                .then().statusCode(400);
    }

    @Test
    void portalSeesActivePackagesOnlyAndOwnerSeesAll() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner, Map.of("name", "Portal Router", "host", "10.0.0.1", "username", "api"));
        long cheap = Fixtures.plan(owner, router, Map.of("name", "30 min", "price", "10.00"));
        long retired = Fixtures.plan(owner, router, Map.of("name", "Old", "price", "15.00", "is_active", false));
        given().header("X-Public-Key", owner.publicKey()).get("/routers/" + router + "/packages/")
                .then().statusCode(200)
                .body("router_id", equalTo((int) router))
                .body("router_name", equalTo("Portal Router"))
                .body("packages.id", contains((int) cheap))
                .body("packages[0].price", equalTo("10.00"));
        owner.withJwt().get("/routers/" + router + "/packages/")
                .then().statusCode(200).body("packages.id", contains((int) cheap, (int) retired));
    }

    @Test
    void portalSeesEveryChangeOfPackagesAndRouterAtOnce() {
        // The portal's list is kept for a few seconds (PlanService.forPortal); each step reads it right after a change.
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner, Map.of("name", "Shop", "host", "10.0.0.1", "username", "api"));
        long first = Fixtures.plan(owner, router, Map.of("name", "1 hour", "price", "10.00"));
        String path = "/routers/" + router + "/packages/";
        owner.asPortal().get(path).then().statusCode(200).body("packages.id", contains((int) first));

        long second = Fixtures.plan(owner, router, Map.of("name", "2 hours", "price", "15.00"));
        owner.asPortal().get(path).then().body("packages.id", contains((int) first, (int) second));
        owner.withJwt().body(Map.of("price", "12.00")).patch("/routers/packages/" + first + "/").then().statusCode(200);
        owner.asPortal().get(path).then().body("packages[0].price", equalTo("12.00"));
        owner.withJwt().body(Map.of("is_active", false)).patch("/routers/packages/" + second + "/")
                .then().statusCode(200);
        owner.asPortal().get(path).then().body("packages.id", contains((int) first));

        long other = Fixtures.router(owner);
        owner.withJwt().body(Map.of("router", other)).patch("/routers/packages/" + first + "/").then().statusCode(200);
        owner.asPortal().get(path).then().body("packages", hasSize(0));
        owner.asPortal().get("/routers/" + other + "/packages/").then().body("packages.id", contains((int) first));
        owner.withJwt().delete("/routers/packages/" + first + "/").then().statusCode(200);
        owner.asPortal().get("/routers/" + other + "/packages/").then().body("packages", hasSize(0));

        owner.withJwt().body(Map.of("name", "Shop renamed")).patch("/routers/" + router + "/").then().statusCode(200);
        owner.asPortal().get(path).then().body("router_name", equalTo("Shop renamed"));
        owner.withJwt().delete("/routers/" + router + "/").then().statusCode(200);
        owner.asPortal().get(path).then().statusCode(404);
    }

    @Test
    void portalListOfARouterIsNotFoundWithAnotherOwnersKey() {
        TestOwner owner = Owners.register();
        TestOwner stranger = Owners.register();
        long router = Fixtures.router(owner);
        Fixtures.plan(owner, router, "10.00");
        owner.asPortal().get("/routers/" + router + "/packages/").then().statusCode(200);
        stranger.asPortal().get("/routers/" + router + "/packages/").then().statusCode(404)
                .body("error", notNullValue());
    }

    @Test
    void putReplacesPatchChangesAndDeleteRemoves() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        long id = Fixtures.plan(owner, router, Map.of("name", "Hour", "description", "fast"));
        owner.withJwt().body(Map.of("name", "Two hours", "router", router, "package_type", "hourly",
                        "duration_hours", 2, "price", "35.00", "download_speed_mbps", 10, "upload_speed_mbps", 5))
                .put("/routers/packages/" + id + "/")
                .then().statusCode(200).body("name", equalTo("Two hours")).body("description", equalTo(""));
        owner.withJwt().body(Map.of("is_active", false)).patch("/routers/packages/" + id + "/")
                .then().statusCode(200).body("is_active", equalTo(false)).body("price", equalTo("35.00"));
        owner.withJwt().body(Map.of("name", "incomplete")).put("/routers/packages/" + id + "/")
                .then().statusCode(400);
        owner.withJwt().delete("/routers/packages/" + id + "/").then().statusCode(200);
        owner.withJwt().get("/routers/packages/" + id + "/").then().statusCode(404)
                .body("error", equalTo("Package not found or access denied"));
    }

    @Test
    void listCanBeNarrowedToOneRouter() {
        TestOwner owner = Owners.register();
        long a = Fixtures.router(owner);
        long b = Fixtures.router(owner);
        long onA = Fixtures.plan(owner, a, "10.00");
        Fixtures.plan(owner, b, "10.00");
        owner.withJwt().get("/routers/packages/").then().body("$", hasSize(2));
        owner.withJwt().get("/routers/packages/?router=" + a).then().body("id", equalTo(List.of((int) onA)));
        owner.withJwt().get("/routers/packages/?router=abc").then().statusCode(400);
    }

    @Test
    void theListOfAllPackagesIsWhatEachPackageAnswersAndFollowsAChange() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner, Map.of("name", "Eldoret", "host", "10.0.0.1", "username", "api"));
        long first = Fixtures.plan(owner, router, Map.of("name", "1 Hour", "price", "20.00", "data_limit_mb", 512,
                "download_speed_mbps", "1.5"));
        long second = Fixtures.plan(owner, router, Map.of("name", "1 Day", "price", "49.5", "description", "All day"));
        // Kept and written as JSON once (PlanService.list): the same JSON, field for field, as each package's answer.
        for (int read = 0; read < 2; read++) {
            List<Map<String, Object>> all = owner.withJwt().get("/routers/packages/").then().statusCode(200)
                    .contentType(ContentType.JSON).extract().jsonPath().getList("$");
            assertEquals(List.of(one(owner, first), one(owner, second)),
                    all.stream().sorted((x, y) -> Integer.compare((int) x.get("id"), (int) y.get("id"))).toList());
        }
        owner.withJwt().body(Map.of("price", "25.00")).patch("/routers/packages/" + first + "/").then().statusCode(200);
        owner.withJwt().get("/routers/packages/").then().body("find { it.id == " + first + " }.price", equalTo("25.00"));
    }

    private static Map<String, Object> one(TestOwner owner, long plan) {
        return owner.withJwt().get("/routers/packages/" + plan + "/").then().statusCode(200).extract().jsonPath()
                .getMap("$");
    }

    @Test
    void deletingARouterDeletesItsPackages() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        long plan = Fixtures.plan(owner, router, "10.00");
        owner.withJwt().delete("/routers/" + router + "/").then().statusCode(200);
        assertEquals(0, db.queryLong("SELECT count(*) FROM plan WHERE id = ?", plan));
    }

    @Test
    void portalKeyCannotWritePackages() {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        given().contentType(ContentType.JSON).header("X-Public-Key", owner.publicKey())
                .body(Map.of("name", "x", "router", router)).post("/routers/packages/").then().statusCode(403);
    }
}
