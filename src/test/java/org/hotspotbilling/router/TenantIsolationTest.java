package org.hotspotbilling.router;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.FakeRouterOs;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Another owner's router or package answers 404 on every verb, and nothing of it changes or leaks. */
@QuarkusTest
class TenantIsolationTest {

    @Inject
    Db db;

    FakeRouterOs fake;
    TestOwner victim;
    TestOwner intruder;
    long routerId;
    long planId;

    @BeforeEach
    void setUp() {
        fake = new FakeRouterOs();
        victim = Owners.register();
        intruder = Owners.register();
        routerId = Fixtures.router(victim, fake);
        planId = Fixtures.plan(victim, routerId, "50.00");
    }

    @AfterEach
    void tearDown() {
        fake.close();
    }

    @Test
    void everyRouterAndPackageEndpointAnswers404ToAnotherOwner() {
        Map<String, Object> router = Map.of("name", "stolen", "host", "10.1.1.1", "username", "x", "password", "y");
        Map<String, Object> plan = Map.of("name", "stolen", "router", routerId, "package_type", "hourly",
                "duration_hours", 1, "price", "1.00", "download_speed_mbps", 1, "upload_speed_mbps", 1);
        Map<String, Function<RequestSpecification, Response>> calls = new LinkedHashMap<>();
        calls.put("GET router", r -> r.get("/routers/" + routerId + "/"));
        calls.put("PUT router", r -> r.body(router).put("/routers/" + routerId + "/"));
        calls.put("PATCH router", r -> r.body(Map.of("name", "stolen")).patch("/routers/" + routerId + "/"));
        calls.put("DELETE router", r -> r.delete("/routers/" + routerId + "/"));
        calls.put("test-connection", r -> r.post("/routers/" + routerId + "/test-connection/"));
        calls.put("device-info", r -> r.get("/routers/" + routerId + "/device-info/"));
        calls.put("execute-command", r -> r.body(Map.of("command", "/system/reboot"))
                .post("/routers/" + routerId + "/execute-command/"));
        calls.put("router packages", r -> r.get("/routers/" + routerId + "/packages/"));
        calls.put("push status", r -> r.get("/routers/" + routerId + "/push/"));
        calls.put("push sync", r -> r.post("/routers/" + routerId + "/push/sync/"));
        calls.put("switch to push", r -> r.body(Map.of("delivery", "push")).patch("/routers/" + routerId + "/"));
        calls.put("GET package", r -> r.get("/routers/packages/" + planId + "/"));
        calls.put("PUT package", r -> r.body(plan).put("/routers/packages/" + planId + "/"));
        calls.put("PATCH package", r -> r.body(Map.of("price", "1.00")).patch("/routers/packages/" + planId + "/"));
        calls.put("DELETE package", r -> r.delete("/routers/packages/" + planId + "/"));
        calls.put("create package on their router", r -> r.body(plan).post("/routers/packages/"));

        String routerBefore = db.rowJson("router", routerId);
        String planBefore = db.rowJson("plan", planId);
        long plans = db.count("plan");
        for (Map.Entry<String, Function<RequestSpecification, Response>> call : calls.entrySet()) {
            for (RequestSpecification as : new RequestSpecification[] { intruder.withJwt(), intruder.withKeyPair() }) {
                int status = call.getValue().apply(as).statusCode();
                assertEquals(404, status, call.getKey());
            }
        }
        intruder.asPortal().get("/routers/" + routerId + "/packages/").then().statusCode(404);
        assertEquals(routerBefore, db.rowJson("router", routerId));
        assertEquals(0, db.queryLong("SELECT count(*) FROM router_push_job WHERE router_id = ?", routerId));
        assertEquals(planBefore, db.rowJson("plan", planId));
        assertEquals(plans, db.count("plan"));
        assertTrue(fake.requests().isEmpty(), "the intruder reached the router: " + fake.requests());
    }

    @Test
    void movingOwnPackageOntoAnotherOwnersRouterIs404() {
        long ownRouter = Fixtures.router(intruder);
        long ownPlan = Fixtures.plan(intruder, ownRouter, "5.00");
        String before = db.rowJson("plan", ownPlan);
        intruder.withJwt().body(Map.of("router", routerId)).patch("/routers/packages/" + ownPlan + "/")
                .then().statusCode(404);
        assertEquals(before, db.rowJson("plan", ownPlan));
    }

    @Test
    void listsNeverShowAnotherOwnersRows() {
        intruder.withJwt().get("/routers/").then().statusCode(200).body("id", not(hasItem((int) routerId)));
        intruder.withJwt().get("/routers/packages/").then().statusCode(200).body("id", not(hasItem((int) planId)));
        intruder.withJwt().get("/routers/packages/?router=" + routerId).then().statusCode(200)
                .body("id", not(hasItem((int) planId)));
    }
}
