package org.hotspotbilling.tenant;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.hotspotbilling.testing.StatementLog;
import org.hotspotbilling.web.RequestIds;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an owner's reads cost: the same statements however many routers and packages the owner has, no database
 * read for the owner check while it is remembered, and no exception thrown and caught along the way.
 */
@QuarkusTest
class OwnerRequestCostTest {

    @Inject
    Db db;

    /** An owner with {@code routers} routers of {@code packages} packages each; its first router's id. */
    private static long shop(TestOwner owner, int routers, int packages) {
        long first = 0;
        for (int r = 0; r < routers; r++) {
            long router = Fixtures.router(owner);
            first = r == 0 ? router : first;
            for (int p = 0; p < packages; p++) {
                Fixtures.plan(owner, router, "2" + p + ".00");
            }
        }
        return first;
    }

    private static List<String> statementsOf(RequestSpecification request, String path) {
        String id = "stmt-" + UUID.randomUUID();
        request.header(RequestIds.HEADER, id).get(path).then().statusCode(200);
        return StatementLog.of(id);
    }

    @Test
    void listsCostTheSameStatementsForOneRouterAsForMany() {
        TestOwner small = Owners.register();
        long smallRouter = shop(small, 1, 1);
        TestOwner large = Owners.register();
        long largeRouter = shop(large, 4, 3);

        for (Function<Long, String> path : List.<Function<Long, String>>of(router -> "/routers/packages/",
                router -> "/routers/" + router + "/packages/", router -> "/routers/")) {
            // Read from the database (the lists kept in memory were dropped by the last change, or never kept).
            // The owner check may read the owner if its time ran out during the set-up: not counted here.
            List<String> one = withoutOwnerCheck(statementsOf(small.withJwt(), path.apply(smallRouter)));
            List<String> many = withoutOwnerCheck(statementsOf(large.withJwt(), path.apply(largeRouter)));
            assertEquals(one.size(), many.size(), path.apply(largeRouter) + ": " + one + " vs " + many);
            assertTrue(many.size() <= 2, path.apply(largeRouter) + ": " + many);
        }
        // Read again: the owner check is remembered, and the three lists are kept.
        assertEquals(List.of(), statementsOf(large.withJwt(), "/routers/" + largeRouter + "/packages/"));
        assertEquals(List.of(), statementsOf(large.withJwt(), "/routers/"));
        assertEquals(List.of(), statementsOf(large.withJwt(), "/routers/packages/"));
        large.withJwt().get("/routers/packages/").then().body("$", hasSize(12));
    }

    @Test
    void keptListsShowTheOwnersOwnChangesAtOnce() {
        TestOwner owner = Owners.register();
        long router = shop(owner, 1, 1);
        owner.withJwt().get("/routers/" + router + "/packages/").then().body("packages", hasSize(1));
        owner.withJwt().get("/routers/").then().body("$", hasSize(1));
        owner.withJwt().get("/routers/packages/").then().body("$", hasSize(1));

        Fixtures.plan(owner, router, "30.00");
        owner.withJwt().body(Map.of("name", "Renamed")).patch("/routers/" + router + "/").then().statusCode(200);
        Fixtures.router(owner);

        owner.withJwt().get("/routers/" + router + "/packages/").then().body("packages", hasSize(2))
                .body("router_name", equalTo("Renamed"));
        owner.withJwt().get("/routers/").then().body("$", hasSize(2)).body("name", hasItem("Renamed"));
        owner.withJwt().get("/routers/packages/").then().body("$", hasSize(2))
                .body("router_name", everyItem(equalTo("Renamed")));
    }

    private static List<String> withoutOwnerCheck(List<String> statements) {
        return statements.stream().filter(sql -> !sql.contains("owner_account")).toList();
    }

    @Test
    void theOwnerCheckIsRememberedUntilItsTimeIsUp() {
        TestOwner owner = Owners.register();
        owner.withJwt().get("/routers/").then().statusCode(200);
        db.update("UPDATE owner_account SET is_active = false WHERE id = ?", owner.id());
        // Remembered as active for hotspot.auth.public-key-cache-ttl (5 s): this request does not read the owner.
        owner.withJwt().get("/routers/").then().statusCode(200);
        // Then read again: disabled, refused with the same answer as an owner found disabled at once.
        await().atMost(java.time.Duration.ofSeconds(15)).pollInterval(java.time.Duration.ofMillis(500))
                .untilAsserted(() -> owner.withJwt().get("/routers/").then().statusCode(401)
                        .body("error", equalTo(OwnerService.DISABLED)));
        // A disabled owner is remembered as disabled too.
        db.update("UPDATE owner_account SET is_active = true WHERE id = ?", owner.id());
        owner.withJwt().get("/routers/").then().statusCode(401).body("error", equalTo(OwnerService.DISABLED));
    }

    @Test
    void ownerAndPortalReadsThrowNoExceptionPerRequest() throws Exception {
        TestOwner owner = Owners.register();
        long router = shop(owner, 2, 2);
        String jwt = "Bearer " + owner.accessToken();
        // One keep-alive connection, as portals and dashboards use: a connection opened and closed per request
        // (REST Assured's way) costs Netty an exception of its own at each close.
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<HttpRequest> reads = List.of(
                get("/routers/" + router + "/packages/", "Authorization", jwt),
                get("/routers/", "Authorization", jwt),
                get("/routers/packages/", "Authorization", jwt),
                get("/routers/" + router + "/packages/", "X-Public-Key", owner.publicKey()));
        Runnable round = () -> reads.forEach(request -> {
            try {
                assertEquals(200, client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode(),
                        request.uri().toString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < 20; i++) {
            round.run(); // warm: caches filled, classes loaded, the connection open
        }
        int rounds = 100;
        Path file = Files.createTempFile("exceptions", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.JavaExceptionThrow").withStackTrace();
            recording.start();
            for (int i = 0; i < rounds; i++) {
                round.run();
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> thrown = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getThread() != null && e.getThread().getJavaName() != null
                        && (e.getThread().getJavaName().startsWith("executor-thread")
                                || e.getThread().getJavaName().startsWith("vert.x-eventloop")))
                .toList();
        Files.deleteIfExists(file);
        // Four reads a round: an exception per request would be 400 of them. Background work on the same threads
        // (the push worker, the gauges) may throw now and then, never once per request.
        String kinds = thrown.stream().collect(Collectors.groupingBy(e -> e.getClass("thrownClass").getName()
                + " at " + (e.getStackTrace() == null ? "?" : e.getStackTrace().getFrames().stream().limit(12)
                        .map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName())
                        .collect(Collectors.joining(" < "))), Collectors.counting())).toString();
        assertTrue(thrown.size() < rounds / 4, thrown.size() + " exceptions in " + rounds * 4 + " requests: " + kinds);
    }

    private static HttpRequest get(String path, String header, String value) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + path)).header(header, value)
                .header("X-Forwarded-For", "198.51.100.7").GET().build();
    }
}
