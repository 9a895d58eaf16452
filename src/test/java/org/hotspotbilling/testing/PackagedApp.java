package org.hotspotbilling.testing;

import io.restassured.RestAssured;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.hotspotbilling.boot.EmbeddedDevEnvironment;
import org.hotspotbilling.boot.KeyMaterial;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged app (after {@code package}) as separate processes on a throwaway database of its own, for tests that
 * kill it (SIGKILL) and start it again: the app is killed, never its database. RestAssured talks to the instance
 * started last.
 */
public final class PackagedApp implements AutoCloseable {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private final Path work;
    private final EmbeddedPostgres postgres;
    private final int port;
    private Process process;

    public PackagedApp() throws IOException {
        assertTrue(Files.exists(JAR), "run after `package`: " + JAR.toAbsolutePath());
        work = Files.createTempDirectory("hotspot-kill-");
        KeyMaterial.ensureIn(work);
        postgres = EmbeddedDevEnvironment.startPostgres(work.resolve("postgres"), freePort(),
                EmbeddedDevEnvironment.Durability.THROWAWAY);
        port = freePort();
    }

    /** Starts an instance with these settings besides the database and keys; answers once it is ready. */
    public void start(String name, Map<String, String> settings) throws IOException {
        Map<String, String> env = new HashMap<>(Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", postgres.getJdbcUrl("postgres", EmbeddedDevEnvironment.DATABASE),
                "QUARKUS_DATASOURCE_USERNAME", "postgres",
                "QUARKUS_DATASOURCE_PASSWORD", "postgres",
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION", work.resolve(KeyMaterial.JWT_PUBLIC_KEY).toString(),
                "SMALLRYE_JWT_SIGN_KEY_LOCATION", work.resolve(KeyMaterial.JWT_PRIVATE_KEY).toString(),
                "HOTSPOT_CRYPTO_KEYSET_FILE", work.resolve(KeyMaterial.TINK_KEYSET).toString(),
                "PORT", String.valueOf(port)));
        env.putAll(settings);
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toAbsolutePath().toString())
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile());
        builder.environment().putAll(env);
        Process started = builder.start();
        process = started;
        RestAssured.port = port;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertTrue(started.isAlive(), () -> "the app exited: " + log(name));
            try {
                return RestAssured.get("/q/health/ready").statusCode() == 200;
            } catch (Exception e) { // not listening yet (RestAssured throws ConnectException unchecked)
                return false;
            }
        });
    }

    /** SIGKILL: no shutdown hook, no finished request, nothing flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** The first column of the first row, as text (null without a row). */
    public String query(String sql) throws Exception {
        try (Connection c = postgres.getDatabase("postgres", EmbeddedDevEnvironment.DATABASE).getConnection();
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private String log(String name) {
        try {
            return Files.readString(work.resolve(name + ".log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws IOException {
        if (process != null) {
            process.destroyForcibly();
        }
        postgres.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
