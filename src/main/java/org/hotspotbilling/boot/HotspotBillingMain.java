package org.hotspotbilling.boot;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Entry point for {@code ./mvnw quarkus:dev} and {@code java -jar target/quarkus-app/quarkus-run.jar}.
 * Before Quarkus reads its runtime configuration, the embedded dev environment (database and keys under ./data)
 * is prepared when no external database is configured.
 */
@QuarkusMain
public final class HotspotBillingMain {

    private HotspotBillingMain() {
    }

    public static void main(String... args) {
        EmbeddedDevEnvironment.prepareIfNoDatabaseConfigured();
        Quarkus.run(args);
    }
}
