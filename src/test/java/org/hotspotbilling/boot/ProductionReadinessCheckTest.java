package org.hotspotbilling.boot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProductionReadinessCheckTest {

    @TempDir
    Path dir;

    @Test
    void nothingConfiguredNamesEveryMissingKey() {
        List<String> problems = ProductionReadinessCheck.problems(name -> Optional.empty(), dir.resolve("data"));
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("SMALLRYE_JWT_SIGN_KEY_LOCATION"));
        assertTrue(problems.get(1).contains("MP_JWT_VERIFY_PUBLICKEY_LOCATION"));
        assertTrue(problems.get(2).contains("HOTSPOT_CRYPTO_KEYSET"));
    }

    @Test
    void readableKeyFilesPass() {
        KeyMaterial.ensureIn(dir);
        Map<String, String> settings = Map.of(
                "smallrye.jwt.sign.key.location", dir.resolve(KeyMaterial.JWT_PRIVATE_KEY).toString(),
                "mp.jwt.verify.publickey.location", "file:" + dir.resolve(KeyMaterial.JWT_PUBLIC_KEY),
                "hotspot.crypto.keyset-file", dir.resolve(KeyMaterial.TINK_KEYSET).toString());
        assertEquals(List.of(), ProductionReadinessCheck.problems(name -> Optional.ofNullable(settings.get(name)), dir.resolve("data")));
    }

    @Test
    void theEmbeddedDevKeysAreRefused() {
        Path data = dir.resolve("data");
        KeyMaterial.ensureIn(data);
        Map<String, String> settings = Map.of(
                // the same file spelled another way is still the dev key
                "smallrye.jwt.sign.key.location", data.resolve("..").resolve("data")
                        .resolve(KeyMaterial.JWT_PRIVATE_KEY).toString(),
                "mp.jwt.verify.publickey.location", data.resolve(KeyMaterial.JWT_PUBLIC_KEY).toString(),
                "hotspot.crypto.keyset-file", data.resolve(KeyMaterial.TINK_KEYSET).toString());
        List<String> problems = ProductionReadinessCheck.problems(name -> Optional.ofNullable(settings.get(name)), data);
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.stream().allMatch(p -> p.contains("embedded dev key")), problems.toString());
    }

    @Test
    void locationThatIsNotAFileIsNamed() {
        Map<String, String> settings = new HashMap<>();
        settings.put("smallrye.jwt.sign.key", "inline-key");
        settings.put("mp.jwt.verify.publickey", "inline-key");
        settings.put("hotspot.crypto.keyset-file", dir.resolve("missing.json").toString());
        List<String> problems = ProductionReadinessCheck.problems(name -> Optional.ofNullable(settings.get(name)), dir.resolve("data"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("missing.json"));
    }
}
