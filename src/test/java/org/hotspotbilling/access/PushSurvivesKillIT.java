package org.hotspotbilling.access;

import io.restassured.RestAssured;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.hotspotbilling.boot.EmbeddedDevEnvironment;
import org.hotspotbilling.boot.KeyMaterial;
import org.hotspotbilling.testing.FakeRouterOs;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged app is killed (SIGKILL) in the middle of delivering a grant to a slow router, then started again
 * on the same database: the delivery completes, with one user on the router and the job recorded as delivered.
 */
class PushSurvivesKillIT {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private EmbeddedPostgres postgres;
    private Path work;
    private Process app;
    private final FakeRouterOs router = new FakeRouterOs();

    @AfterEach
    void stop() throws IOException {
        if (app != null) {
            app.destroyForcibly();
        }
        router.close();
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aDeliveryCutShortByAKillCompletesAfterRestart() throws Exception {
        assertTrue(Files.exists(JAR), "run after `package`: " + JAR.toAbsolutePath());
        work = Files.createTempDirectory("hotspot-kill-");
        KeyMaterial.ensureIn(work);
        // The app is killed here, never its database: a throwaway one, like the rest of the suite's.
        postgres = EmbeddedDevEnvironment.startPostgres(work.resolve("postgres"), freePort(),
                EmbeddedDevEnvironment.Durability.THROWAWAY);
        int port = freePort();
        app = start(port, "first");
        RestAssured.port = port;

        Shop shop = Shop.pushingTo(router, "push", "hotspot-user");
        await().atMost(Duration.ofSeconds(30)).until(() -> router.requests().isEmpty()
                || jobsQueued() == 0); // the router's first (empty) sync, if any, is over
        // Every router answer now takes 700 ms: a pass of five calls takes seconds, time enough to kill it.
        router.delay(Duration.ofMillis(700));
        router.clearRequests();
        String mac = Shop.randomMac();
        String payment = shop.paymentFor(mac);
        shop.simulate(payment, 0).statusCode(200);

        await().atMost(Duration.ofSeconds(30)).until(() -> router.requests().stream()
                .anyMatch(r -> r.startsWith("PUT /rest/ip/hotspot/user/profile")));
        app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        List<String> beforeKill = router.requests();
        assertTrue(router.rows("/ip/hotspot/user").isEmpty(), "killed before the user was written: " + beforeKill);
        assertEquals(1, jobsQueued());

        app = start(port, "second");
        await().atMost(Duration.ofSeconds(60)).until(() -> jobsQueued() == 0);
        List<Map<String, String>> users = router.rows("/ip/hotspot/user");
        assertEquals(1, users.size(), users.toString());
        assertEquals(mac, users.get(0).get("name"));
        assertEquals("bill_2M_5M", users.get(0).get("profile"));
        assertEquals(1, router.rows("/ip/hotspot/user/profile").stream()
                .filter(p -> "bill_2M_5M".equals(p.get("name"))).count());
        assertEquals("on_router", query("SELECT state FROM access_grant"));
        assertEquals("delivered", query("SELECT state FROM router_push_job WHERE kind = 'grant'"));
    }

    private Process start(int port, String name) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", postgres.getJdbcUrl("postgres", EmbeddedDevEnvironment.DATABASE),
                "QUARKUS_DATASOURCE_USERNAME", "postgres",
                "QUARKUS_DATASOURCE_PASSWORD", "postgres",
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION", work.resolve(KeyMaterial.JWT_PUBLIC_KEY).toString(),
                "SMALLRYE_JWT_SIGN_KEY_LOCATION", work.resolve(KeyMaterial.JWT_PRIVATE_KEY).toString(),
                "HOTSPOT_CRYPTO_KEYSET_FILE", work.resolve(KeyMaterial.TINK_KEYSET).toString(),
                "PORT", String.valueOf(port),
                "HOTSPOT_ROUTER_ALLOW_LOOPBACK", "true",
                "HOTSPOT_ACCESS_PUSH_LEASE", "3s",
                "HOTSPOT_ACCESS_PUSH_SWEEP_INTERVAL", "1s"));
        env.put("HOTSPOT_PAYMENTS_RECONCILE_ENABLED", "false");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toAbsolutePath().toString())
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        RestAssured.port = port;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertTrue(process.isAlive(), () -> "the app exited: " + log(name));
            try {
                return RestAssured.get("/q/health/ready").statusCode() == 200;
            } catch (Exception e) { // not listening yet (RestAssured throws ConnectException unchecked)
                return false;
            }
        });
        return process;
    }

    private String log(String name) {
        try {
            return Files.readString(work.resolve(name + ".log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private long jobsQueued() throws Exception {
        return Long.parseLong(query("SELECT count(*) FROM router_push_job WHERE state = 'queued'"));
    }

    private String query(String sql) throws Exception {
        try (Connection c = postgres.getDatabase("postgres", EmbeddedDevEnvironment.DATABASE).getConnection();
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
