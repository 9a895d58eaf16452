package org.hotspotbilling.crypto;

import org.hotspotbilling.boot.KeyMaterial;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SecretBoxTest {

    @TempDir
    Path dir;

    private static SecretBox box(Path keysetFile) {
        return new SecretBox(new CryptoConfig() {
            public Optional<String> keyset() {
                return Optional.empty();
            }

            public Optional<String> keysetFile() {
                return Optional.of(keysetFile.toString());
            }
        });
    }

    private Path keyset() throws Exception {
        Path file = dir.resolve("keyset.json");
        Files.writeString(file, KeyMaterial.newTinkKeysetJson());
        return file;
    }

    @Test
    void roundTripsAndNeverStoresThePlaintext() throws Exception {
        SecretBox box = box(keyset());
        SecretBox.Binding row = new SecretBox.Binding("router", 7, 3);
        byte[] ciphertext = box.encrypt("router-password", row);
        assertFalse(new String(ciphertext, java.nio.charset.StandardCharsets.ISO_8859_1).contains("router-password"));
        assertEquals("router-password", box.decrypt(ciphertext, row));
        assertNotEquals(new String(ciphertext), new String(box.encrypt("router-password", row)), "nonce reused");
    }

    @Test
    void aCiphertextMovedToAnotherRowTableOrTenantDoesNotDecrypt() throws Exception {
        SecretBox box = box(keyset());
        byte[] ciphertext = box.encrypt("secret", new SecretBox.Binding("router", 7, 3));
        assertThrows(SecretBox.SecretUnreadable.class, () -> box.decrypt(ciphertext, new SecretBox.Binding("router", 8, 3)));
        assertThrows(SecretBox.SecretUnreadable.class, () -> box.decrypt(ciphertext, new SecretBox.Binding("router", 7, 4)));
        assertThrows(SecretBox.SecretUnreadable.class,
                () -> box.decrypt(ciphertext, new SecretBox.Binding("payment_credential", 7, 3)));
    }

    @Test
    void afterRotationOldSecretsStillDecryptAndNewOnesUseTheNewKey() throws Exception {
        Path file = keyset();
        SecretBox before = box(file);
        SecretBox.Binding row = new SecretBox.Binding("router", 1, 1);
        byte[] old = before.encrypt("old secret", row);

        KeyMaterial.rotateTinkKeyset(file);
        SecretBox after = box(file);
        assertEquals("old secret", after.decrypt(old, row));
        byte[] fresh = after.encrypt("new secret", row);
        assertThrows(SecretBox.SecretUnreadable.class, () -> before.decrypt(fresh, row),
                "the new primary key must be the one encrypting");
        assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOf(old, 5), java.util.Arrays.copyOf(fresh, 5)),
                "Tink's key id prefix differs between the two keys");
    }

    @Test
    void aKeysetThatIsNotTinkFailsClearly() throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"not\":\"a keyset\"}");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> box(file));
        assertEquals("The Tink keyset is not a valid AEAD keyset", e.getMessage());
    }
}
