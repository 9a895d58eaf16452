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
        List<String> problems = problems(name -> config.getOptionalValue(name, String.class),
                Path.of(embedded.dataDir()));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("hotspot-billing cannot start on an external database: "
                    + String.join("; ", problems) + ". See README, section Configuration.");
        }
    }

    /**
     * What is missing for a production start; empty when every key is configured, readable, and not one of the
     * dev keys the embedded mode generates under {@code devDataDir}.
     */
    static List<String> problems(Function<String, Optional<String>> setting, Path devDataDir) {
        List<String> problems = new ArrayList<>();
        requireKey(setting, "smallrye.jwt.sign.key.location", "smallrye.jwt.sign.key",
                "JWT signing key missing (set SMALLRYE_JWT_SIGN_KEY_LOCATION to an RSA private key PEM)",
                devDataDir.resolve(KeyMaterial.JWT_PRIVATE_KEY), problems);
        requireKey(setting, "mp.jwt.verify.publickey.location", "mp.jwt.verify.publickey",
                "JWT verification key missing (set MP_JWT_VERIFY_PUBLICKEY_LOCATION to the matching public key PEM)",
                devDataDir.resolve(KeyMaterial.JWT_PUBLIC_KEY), problems);
        requireKey(setting, "hotspot.crypto.keyset-file", "hotspot.crypto.keyset",
                "Tink keyset missing (set HOTSPOT_CRYPTO_KEYSET_FILE or HOTSPOT_CRYPTO_KEYSET)",
                devDataDir.resolve(KeyMaterial.TINK_KEYSET), problems);
        return problems;
    }

    private static void requireKey(Function<String, Optional<String>> setting, String locationKey, String inlineKey,
            String missing, Path devKey, List<String> problems) {
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
        if (path.startsWith("classpath:")) {
            return;
        }
        if (Path.of(path).toAbsolutePath().normalize().equals(devKey.toAbsolutePath().normalize())) {
            problems.add(missing + "; " + locationKey + " is the embedded dev key " + path);
        } else if (!Files.isReadable(Path.of(path))) {
            problems.add(missing + "; " + locationKey + " points to " + path + ", which is not a readable file");
        }
    }
}
