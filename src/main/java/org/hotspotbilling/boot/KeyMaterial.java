package org.hotspotbilling.boot;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Set;

/**
 * Generates the key material the service needs: an RSA key pair for signing JWTs and a Tink AEAD keyset for
 * secrets at rest. Files are written once and reused, readable by the owner only. The embedded dev mode keeps its
 * set under ./data; an operator makes a production set elsewhere with {@code generate-keys DIR}.
 */
public final class KeyMaterial {

    public static final String JWT_PRIVATE_KEY = "jwt-private-key.pem";
    public static final String JWT_PUBLIC_KEY = "jwt-public-key.pem";
    public static final String TINK_KEYSET = "tink-keyset.json";

    private KeyMaterial() {
    }

    /** Writes the JWT key pair and the Tink keyset into {@code dir} unless they are already there. */
    public static void ensureIn(Path dir) {
        try {
            Files.createDirectories(dir);
            Path privateKey = dir.resolve(JWT_PRIVATE_KEY);
            Path publicKey = dir.resolve(JWT_PUBLIC_KEY);
            if (!Files.exists(privateKey) || !Files.exists(publicKey)) {
                KeyPair pair = rsaKeyPair();
                writeSecret(privateKey, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
                writeSecret(publicKey, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            }
            Path keyset = dir.resolve(TINK_KEYSET);
            if (!Files.exists(keyset)) {
                writeSecret(keyset, newTinkKeysetJson());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write dev key material under " + dir.toAbsolutePath(), e);
        }
    }

    /** A fresh AES256-GCM keyset in Tink's JSON format, in cleartext: keep the file as secret as a password. */
    public static String newTinkKeysetJson() {
        try {
            AeadConfig.register();
            KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
            return TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot generate a Tink keyset", e);
        }
    }

    /**
     * Adds a fresh AES256-GCM key to the keyset in {@code file} and makes it the primary: new secrets are encrypted
     * with it, secrets stored under the older keys still decrypt. The file is replaced atomically.
     */
    public static void rotateTinkKeyset(Path file) {
        try {
            AeadConfig.register();
            KeysetHandle current = TinkJsonProtoKeysetFormat.parseKeyset(
                    Files.readString(file, StandardCharsets.UTF_8), InsecureSecretKeyAccess.get());
            KeysetHandle rotated = KeysetHandle.newBuilder(current)
                    .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                            .withRandomId().makePrimary())
                    .build();
            writeSecret(file, TinkJsonProtoKeysetFormat.serializeKeyset(rotated, InsecureSecretKeyAccess.get()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot rotate the keyset in " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(file + " does not hold a valid Tink keyset", e);
        }
    }

    private static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot generate an RSA key pair", e);
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static void writeSecret(Path file, String content) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, Set.copyOf(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the file system's own ACLs apply.
        }
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
