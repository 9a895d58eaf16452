package org.hotspotbilling.boot;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.nio.file.Path;

/**
 * Entry point for {@code ./mvnw quarkus:dev} and {@code java -jar target/quarkus-app/quarkus-run.jar}.
 * Before Quarkus reads its runtime configuration, the embedded dev environment (database and keys under ./data)
 * is prepared when no external database is configured. {@code generate-keys DIR} writes a production key set
 * into DIR and exits; {@code rotate-keyset FILE} adds a new primary key to a Tink keyset file.
 */
@QuarkusMain
public final class HotspotBillingMain {

    private HotspotBillingMain() {
    }

    public static void main(String... args) {
        if (args.length == 2 && "generate-keys".equals(args[0])) {
            Path dir = Path.of(args[1]).toAbsolutePath().normalize();
            KeyMaterial.ensureIn(dir);
            System.out.printf("""
                    Keys in %1$s (existing files are kept). Configure:
                      SMALLRYE_JWT_SIGN_KEY_LOCATION=%1$s/%2$s
                      MP_JWT_VERIFY_PUBLICKEY_LOCATION=%1$s/%3$s
                      HOTSPOT_CRYPTO_KEYSET_FILE=%1$s/%4$s
                    %n""", dir, KeyMaterial.JWT_PRIVATE_KEY, KeyMaterial.JWT_PUBLIC_KEY, KeyMaterial.TINK_KEYSET);
            return;
        }
        if (args.length == 2 && "rotate-keyset".equals(args[0])) {
            KeyMaterial.rotateTinkKeyset(Path.of(args[1]));
            System.out.println("Added a new primary key to " + args[1]
                    + "; restart every instance to encrypt with it. Older keys still decrypt.");
            return;
        }
        EmbeddedDevEnvironment.prepareIfNoDatabaseConfigured();
        Quarkus.run(args);
    }
}
