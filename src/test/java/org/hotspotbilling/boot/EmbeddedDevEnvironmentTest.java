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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
