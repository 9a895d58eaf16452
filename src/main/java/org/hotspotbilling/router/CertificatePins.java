package org.hotspotbilling.router;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Certificate pins: the SHA-256 fingerprint of a router's certificate (its DER bytes), kept as 64 lower-case hex
 * digits (docs/routeros-rest.md "TLS and pinning"). Owners may paste it with colons and in either case, as
 * {@code openssl x509 -fingerprint -sha256} prints it.
 */
public final class CertificatePins {

    private static final Pattern PLAIN = Pattern.compile("\\p{XDigit}{64}");
    private static final Pattern COLONS = Pattern.compile("\\p{XDigit}{2}(:\\p{XDigit}{2}){31}");

    private CertificatePins() {
    }

    /** The pin as stored, from the forms an owner may type; empty for anything else. */
    public static Optional<String> parse(String typed) {
        String trimmed = typed == null ? "" : typed.strip();
        if (!PLAIN.matcher(trimmed).matches() && !COLONS.matcher(trimmed).matches()) {
            return Optional.empty();
        }
        return Optional.of(trimmed.replace(":", "").toLowerCase(Locale.ROOT));
    }

    /** The fingerprint of a certificate, in the stored form. */
    public static String of(Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("Cannot fingerprint the router's certificate", e);
        }
    }
}
