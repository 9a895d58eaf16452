package org.hotspotbilling.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.hotspotbilling.boot.KeyMaterial;
import org.hotspotbilling.boot.EmbeddedDevEnvironment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Every test runs against a real PostgreSQL started here (fresh data directory, free port) and with key material
 * generated for this run only: no keys live in the repository, and nothing of the developer's ./data is touched.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private EmbeddedPostgres postgres;
    private Path workDir;

    @Override
    public Map<String, String> start() {
        try {
            workDir = Files.createTempDirectory("hotspot-test-");
            KeyMaterial.ensureIn(workDir);
            // The only place that may give up durability: this database is deleted after the run.
            postgres = EmbeddedDevEnvironment.startPostgres(workDir.resolve("postgres"), freePort(),
                    EmbeddedDevEnvironment.Durability.THROWAWAY);
            return Map.of(
                    "quarkus.datasource.jdbc.url", postgres.getJdbcUrl("postgres", EmbeddedDevEnvironment.DATABASE),
                    "quarkus.datasource.username", "postgres",
                    "quarkus.datasource.password", "postgres",
                    "mp.jwt.verify.publickey.location", workDir.resolve(KeyMaterial.JWT_PUBLIC_KEY).toString(),
                    "smallrye.jwt.sign.key.location", workDir.resolve(KeyMaterial.JWT_PRIVATE_KEY).toString(),
                    "hotspot.crypto.keyset-file", workDir.resolve(KeyMaterial.TINK_KEYSET).toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        try {
            if (postgres != null) {
                postgres.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
