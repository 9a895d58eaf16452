package org.hotspotbilling.plan;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bad package input: a 400 naming the field, nothing written on create, nothing changed on PUT/PATCH. */
@QuarkusTest
class PlanInputValidationTest {

    @Inject
    Db db;

    static Stream<Arguments> badPlans() {
        return Stream.of(
                Arguments.of("price zero", "price", 0),
                Arguments.of("price negative", "price", "-1.00"),
                Arguments.of("price of three decimals", "price", "50.001"),
                Arguments.of("price not a number", "price", "abc"),
                Arguments.of("price too large", "price", "100000000.00"),
                Arguments.of("price a boolean", "price", true),
                Arguments.of("duration zero", "duration_hours", 0),
                Arguments.of("duration negative", "duration_hours", -5),
                Arguments.of("duration a fraction", "duration_hours", 1.5),
                Arguments.of("duration a word", "duration_hours", "one"),
                Arguments.of("package type unknown", "package_type", "daily"),
                Arguments.of("package type a number", "package_type", 1),
                Arguments.of("download speed zero", "download_speed_mbps", 0),
                Arguments.of("upload speed negative", "upload_speed_mbps", -2),
                Arguments.of("download speed in tenths of a kbit/s", "download_speed_mbps", 1.0005),
                Arguments.of("upload speed over 100000", "upload_speed_mbps", 100001),
                Arguments.of("download speed a word", "download_speed_mbps", "fast"),
                Arguments.of("shared users zero", "shared_users", 0),
                Arguments.of("shared users 101", "shared_users", 101),
                Arguments.of("data limit zero", "data_limit_mb", 0),
                Arguments.of("name empty", "name", ""),
                Arguments.of("name of 101 chars", "name", "n".repeat(101)),
                Arguments.of("name a list", "name", java.util.List.of("a")),
                Arguments.of("description with NUL", "description", "a\u0000b"),
                Arguments.of("is_active a word", "is_active", "maybe"));
    }

    private static Map<String, Object> valid(long router) {
        Map<String, Object> body = new HashMap<>(Map.of("name", "Hour", "router", router, "package_type", "hourly",
                "duration_hours", 1, "price", "20.00", "download_speed_mbps", 5, "upload_speed_mbps", 2));
        return body;
    }

    @ParameterizedTest(name = "create refuses {0}")
    @MethodSource("badPlans")
    void createRefusesBadInputAndWritesNothing(String name, String field, Object value) {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        Map<String, Object> body = valid(router);
        body.put(field, value);
        long plans = db.count("plan");
        owner.withJwt().body(body).post("/routers/packages/")
                .then().statusCode(400).body("error", notNullValue()).body("fields." + field, notNullValue());
        assertEquals(plans, db.count("plan"), name);
    }

    @ParameterizedTest(name = "PATCH refuses {0}")
    @MethodSource("badPlans")
    void patchRefusesBadInputAndChangesNothing(String name, String field, Object value) {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        long plan = Fixtures.plan(owner, router, "20.00");
        String before = db.rowJson("plan", plan);
        Map<String, Object> body = new HashMap<>();
        body.put(field, value);
        owner.withJwt().body(body).patch("/routers/packages/" + plan + "/")
                .then().statusCode(400).body("error", notNullValue());
        assertEquals(before, db.rowJson("plan", plan), name);
    }

    @ParameterizedTest(name = "create refuses a missing {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = { "name", "router", "package_type", "duration_hours",
            "price", "download_speed_mbps", "upload_speed_mbps" })
    void createRequiresEveryReferenceField(String field) {
        TestOwner owner = Owners.register();
        long router = Fixtures.router(owner);
        Map<String, Object> body = valid(router);
        body.remove(field);
        long plans = db.count("plan");
        owner.withJwt().body(body).post("/routers/packages/")
                .then().statusCode(400).body("fields." + field, notNullValue());
        assertEquals(plans, db.count("plan"));
    }
}
