package org.hotspotbilling.testing;

import org.hotspotbilling.testing.Owners.TestOwner;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Routers and packages created through the API for an owner. */
public final class Fixtures {

    private Fixtures() {
    }

    /** A router pointing at the fake RouterOS with its current credentials. */
    public static long router(TestOwner owner, FakeRouterOs fake) {
        return router(owner, Map.of("host", "127.0.0.1", "port", fake.port(), "username", fake.username(),
                "password", fake.password()));
    }

    /** A router at an address nobody listens on (documentation range, never contacted by these tests). */
    public static long router(TestOwner owner) {
        return router(owner, Map.of("host", "192.0.2.10", "port", 8728, "username", "billing", "password", "pw"));
    }

    public static long router(TestOwner owner, Map<String, Object> fields) {
        Map<String, Object> body = new HashMap<>(fields);
        body.putIfAbsent("name", "Router " + UUID.randomUUID().toString().substring(0, 8));
        return owner.withJwt().body(body).post("/routers/").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    public static long plan(TestOwner owner, long routerId, String price) {
        return plan(owner, routerId, Map.of("price", price));
    }

    public static long plan(TestOwner owner, long routerId, Map<String, Object> overrides) {
        Map<String, Object> body = new HashMap<>(Map.of("name", "1 hour " + UUID.randomUUID().toString().substring(0, 6),
                "router", routerId, "package_type", "hourly", "duration_hours", 1, "price", "20.00",
                "download_speed_mbps", 5, "upload_speed_mbps", 2));
        body.putAll(overrides);
        return owner.withJwt().body(body).post("/routers/packages/").then().statusCode(201)
                .extract().jsonPath().getLong("id");
    }
}
