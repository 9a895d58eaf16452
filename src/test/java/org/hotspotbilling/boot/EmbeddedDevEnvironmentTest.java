package org.hotspotbilling.boot;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class EmbeddedDevEnvironmentTest {

    @TempDir
    Path dataDir;

    @Test
    void embeddedDatabaseKeepsItsDataAcrossRestarts() throws Exception {
        Path pgData = dataDir.resolve("postgres");
        int port = freePort();
        try (EmbeddedPostgres first = EmbeddedDevEnvironment.startPostgres(pgData, port);
                Connection c = DriverManager.getConnection(first.getJdbcUrl("postgres", EmbeddedDevEnvironment.DATABASE),
                        "postgres", "postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE survives (v text)");
            s.execute("INSERT INTO survives VALUES ('still here')");
        }
        try (EmbeddedPostgres second = EmbeddedDevEnvironment.startPostgres(pgData, port);
                Connection c = DriverManager.getConnection(second.getJdbcUrl("postgres", EmbeddedDevEnvironment.DATABASE),
                        "postgres", "postgres");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT v FROM survives");
                ResultSet version = c.createStatement().executeQuery("SHOW server_version_num")) {
            assertTrue(rs.next());
            assertEquals("still here", rs.getString(1));
            assertTrue(version.next());
            assertTrue(Integer.parseInt(version.getString(1)) >= 160000, "PostgreSQL 16 or newer expected");
        }
    }

    @Test
    void theEmbeddedDatabaseWritesDurablyLikeAProductionOne() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedDevEnvironment.startPostgres(dataDir.resolve("postgres"), freePort());
                Connection c = DriverManager.getConnection(postgres.getJdbcUrl("postgres",
                        EmbeddedDevEnvironment.DATABASE), "postgres", "postgres")) {
            // zonky's own defaults are off for all three: a power cut would lose committed payments.
            assertEquals("on", setting(c, "fsync"));
            assertEquals("on", setting(c, "synchronous_commit"));
            assertEquals("on", setting(c, "full_page_writes"));
        }
    }

    @Test
    void onlyAThrowawayDatabaseSkipsDurability() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedDevEnvironment.startPostgres(dataDir.resolve("postgres"), freePort(),
                EmbeddedDevEnvironment.Durability.THROWAWAY);
                Connection c = DriverManager.getConnection(postgres.getJdbcUrl("postgres",
                        EmbeddedDevEnvironment.DATABASE), "postgres", "postgres")) {
            assertEquals("off", setting(c, "fsync"));
            assertEquals("off", setting(c, "synchronous_commit"));
        }
    }

    @Test
    void moreServerSettingsApplyAfterTheAppsOwn() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedDevEnvironment.startPostgres(dataDir.resolve("postgres"), freePort(),
                EmbeddedDevEnvironment.Durability.DURABLE, EmbeddedDevEnvironment.serverSettings(
                        "max_connections=50,shared_preload_libraries=pg_stat_statements"));
                Connection c = DriverManager.getConnection(postgres.getJdbcUrl("postgres",
                        EmbeddedDevEnvironment.DATABASE), "postgres", "postgres");
                Statement s = c.createStatement()) {
            assertEquals("50", setting(c, "max_connections"), "the app's own 100 is overridden");
            assertEquals("on", setting(c, "fsync"));
            // The benchmark's statement counts: the extension only works when the library was preloaded.
            s.execute("CREATE EXTENSION pg_stat_statements");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_statements")) {
                assertTrue(rs.next());
            }
        }
    }

    @Test
    void serverSettingsAreNameValuePairsWhoseListValuesKeepTheirCommas() {
        assertEquals(Map.of("shared_preload_libraries", "pg_stat_statements,auto_explain", "work_mem", "8MB",
                "pg_stat_statements.track", "all"), EmbeddedDevEnvironment.serverSettings(
                        " shared_preload_libraries=pg_stat_statements, auto_explain ,Work_Mem=8MB,"
                                + "pg_stat_statements.track=all,"));
        assertEquals(Map.of(), EmbeddedDevEnvironment.serverSettings(""));
        assertEquals(Map.of(), EmbeddedDevEnvironment.serverSettings(" , "));
    }

    @Test
    void serverSettingsThatAreNotNameValueAreRefused() {
        for (String bad : new String[] { "work_mem", "=8MB", "work_mem=", "work mem=8MB", "work_mem;drop=1" }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EmbeddedDevEnvironment.serverSettings(bad), bad);
            assertTrue(e.getMessage().contains("is not name=value"), e.getMessage());
        }
    }

    @Test
    void serverSettingsNeverTouchDurability() {
        for (String bad : new String[] { "fsync=off", "synchronous_commit=off", "full_page_writes=off",
                "work_mem=8MB,FSYNC=on", " Synchronous_Commit = local" }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EmbeddedDevEnvironment.serverSettings(bad), bad);
            assertTrue(e.getMessage().contains("cannot be set: the embedded PostgreSQL always writes durably"),
                    e.getMessage());
        }
    }

    @Test
    void aDurabilitySettingStopsTheStartBeforeAnythingIsWritten() {
        assumeTrue(System.getenv("QUARKUS_DATASOURCE_JDBC_URL") == null, "embedded mode only");
        Map<String, String> properties = Map.of("hotspot.embedded.data-dir", dataDir.resolve("app").toString(),
                "hotspot.embedded.db-port", String.valueOf(54329), "hotspot.embedded.db-settings", "fsync=off");
        String jdbcUrl = System.clearProperty("quarkus.datasource.jdbc.url");
        String active = System.clearProperty(EmbeddedDevEnvironment.EMBEDDED_FLAG);
        properties.forEach(System::setProperty);
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    EmbeddedDevEnvironment::prepareIfNoDatabaseConfigured);
            assertTrue(e.getMessage().startsWith("HOTSPOT_EMBEDDED_DB_SETTINGS: fsync cannot be set"), e.getMessage());
            assertFalse(Files.exists(dataDir.resolve("app")), "no keys, no database");
        } finally {
            properties.keySet().forEach(System::clearProperty);
            restore("quarkus.datasource.jdbc.url", jdbcUrl);
            restore(EmbeddedDevEnvironment.EMBEDDED_FLAG, active);
        }
    }

    private static void restore(String property, String value) {
        if (value != null) {
            System.setProperty(property, value);
        }
    }

    private static String setting(Connection c, String name) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + name)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    @Test
    void devKeysAreGeneratedOnceAndKeptPrivate() throws Exception {
        KeyMaterial.ensureIn(dataDir);
        Path privateKey = dataDir.resolve(KeyMaterial.JWT_PRIVATE_KEY);
        String firstKey = Files.readString(privateKey);
        String firstKeyset = Files.readString(dataDir.resolve(KeyMaterial.TINK_KEYSET));
        KeyMaterial.ensureIn(dataDir);
        assertEquals(firstKey, Files.readString(privateKey), "restarts must keep the key, or every token dies");
        assertEquals(firstKeyset, Files.readString(dataDir.resolve(KeyMaterial.TINK_KEYSET)),
                "restarts must keep the keyset, or every stored secret becomes unreadable");
        assertTrue(firstKey.startsWith("-----BEGIN PRIVATE KEY-----"));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(privateKey)));
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
