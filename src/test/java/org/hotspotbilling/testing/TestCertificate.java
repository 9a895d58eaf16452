package org.hotspotbilling.testing;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A router's self-signed certificate for 127.0.0.1, made for the test by the JDK's keytool (so no key is ever in
 * the repository), with its SHA-256 fingerprint as RouterOS users would read it to pin it.
 */
public final class TestCertificate {

    private static final char[] PASSWORD = "test-only".toCharArray();

    private final KeyStore keys;
    private final Certificate certificate;

    private TestCertificate(KeyStore keys) throws GeneralSecurityException {
        this.keys = keys;
        this.certificate = keys.getCertificate("router");
    }

    /** A new EC key pair and a certificate with subject {@code CN=<commonName>} and IP 127.0.0.1. */
    public static TestCertificate selfSigned(String commonName) {
        try {
            Path dir = Files.createTempDirectory("router-cert-");
            Path store = dir.resolve("router.p12");
            Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "router", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=" + commonName, "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(PASSWORD),
                    "-keypass", new String(PASSWORD))
                    .redirectErrorStream(true).start();
            String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keys.load(in, PASSWORD);
            }
            Files.delete(store);
            Files.delete(dir);
            return new TestCertificate(keys);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** For a server presenting this certificate. */
    public SSLContext serverContext() {
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(factory.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of the certificate's DER bytes, lower-case hex without separators. */
    public String sha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same as {@code openssl x509 -fingerprint -sha256} prints it: upper case, colons between pairs. */
    public String sha256WithColons() {
        return HexFormat.ofDelimiter(":").formatHex(HexFormat.of().parseHex(sha256())).toUpperCase(Locale.ROOT);
    }
}
