package org.hotspotbilling.boot;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Refuses to start on an external database without real keys: the dev keys under ./data are generated only in
 * embedded mode, so a missing setting here would otherwise surface as a failed login or an undecryptable secret
 * long after deployment.
 */
@Singleton
public class ProductionReadinessCheck {

    void onStart(@Observes StartupEvent event, Config config, EmbeddedConfig embedded) {
        if (embedded.active()) {
            return;
        }
        List<String> problems = problems(name -> config.getOptionalValue(name, String.class));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("hotspot-billing cannot start on an external database: "
                    + String.join("; ", problems) + ". See README, section Configuration.");
        }
    }

    /** What is missing for a production start; empty when every key is configured and readable. */
    static List<String> problems(Function<String, Optional<String>> setting) {
        List<String> problems = new ArrayList<>();
        requireKey(setting, "smallrye.jwt.sign.key.location", "smallrye.jwt.sign.key",
                "JWT signing key missing (set SMALLRYE_JWT_SIGN_KEY_LOCATION to an RSA private key PEM)", problems);
        requireKey(setting, "mp.jwt.verify.publickey.location", "mp.jwt.verify.publickey",
                "JWT verification key missing (set MP_JWT_VERIFY_PUBLICKEY_LOCATION to the matching public key PEM)",
                problems);
        requireKey(setting, "hotspot.crypto.keyset-file", "hotspot.crypto.keyset",
                "Tink keyset missing (set HOTSPOT_CRYPTO_KEYSET_FILE or HOTSPOT_CRYPTO_KEYSET)", problems);
        return problems;
    }

    private static void requireKey(Function<String, Optional<String>> setting, String locationKey, String inlineKey,
            String missing, List<String> problems) {
        Optional<String> inline = setting.apply(inlineKey).filter(v -> !v.isBlank());
        Optional<String> location = setting.apply(locationKey).filter(v -> !v.isBlank());
        if (inline.isPresent()) {
            return;
        }
        if (location.isEmpty()) {
            problems.add(missing);
            return;
        }
        String path = location.get().startsWith("file:") ? location.get().substring("file:".length()) : location.get();
        if (!path.startsWith("classpath:") && !Files.isReadable(Path.of(path))) {
            problems.add(locationKey + " points to " + path + ", which is not a readable file");
        }
    }
}
