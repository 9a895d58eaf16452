package org.hotspotbilling.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

/**
 * The one way secrets are stored: Tink AEAD (AES256-GCM) with associated data naming the row a ciphertext belongs
 * to, so a ciphertext copied into another row, table or tenant fails to decrypt instead of leaking there.
 * The keyset may hold several keys: the primary encrypts, all of them decrypt (see README, key rotation).
 */
@ApplicationScoped
public class SecretBox {

    private final Aead aead;

    public SecretBox(CryptoConfig config) {
        this.aead = aead(readKeyset(config));
    }

    /** Where a ciphertext lives. Changing any part makes the ciphertext undecryptable. */
    public record Binding(String table, long rowId, long ownerId) {
        byte[] associatedData() {
            return ("hotspot-billing|" + table + "|" + rowId + "|" + ownerId).getBytes(StandardCharsets.UTF_8);
        }
    }

    public byte[] encrypt(String plaintext, Binding binding) {
        try {
            return aead.encrypt(plaintext.getBytes(StandardCharsets.UTF_8), binding.associatedData());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Encryption failed", e);
        }
    }

    public String decrypt(byte[] ciphertext, Binding binding) {
        try {
            return new String(aead.decrypt(ciphertext, binding.associatedData()), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new SecretUnreadable(binding);
        }
    }

    /** A stored secret that this keyset cannot open for this row: wrong keyset, or a ciphertext moved between rows. */
    public static final class SecretUnreadable extends RuntimeException {
        SecretUnreadable(Binding binding) {
            super("Stored secret of " + binding.table() + " " + binding.rowId() + " cannot be decrypted");
        }
    }

    static Aead aead(String keysetJson) {
        try {
            AeadConfig.register();
            KeysetHandle handle = TinkJsonProtoKeysetFormat.parseKeyset(keysetJson, InsecureSecretKeyAccess.get());
            return handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The Tink keyset is not a valid AEAD keyset", e);
        }
    }

    private static String readKeyset(CryptoConfig config) {
        if (config.keyset().isPresent() && !config.keyset().get().isBlank()) {
            return config.keyset().get();
        }
        Path file = Path.of(config.keysetFile().orElseThrow(() -> new IllegalStateException(
                "No Tink keyset configured: set HOTSPOT_CRYPTO_KEYSET_FILE or HOTSPOT_CRYPTO_KEYSET")));
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the Tink keyset " + file, e);
        }
    }
}
