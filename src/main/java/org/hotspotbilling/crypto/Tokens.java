package org.hotspotbilling.crypto;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Unguessable tokens: API keys, webhook URL tokens, router poll tokens, generated webhook challenges. */
public final class Tokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    /** {@code bytes} random bytes as lower-case hex (twice as many characters). */
    public static String randomHex(int bytes) {
        byte[] buffer = new byte[bytes];
        RANDOM.nextBytes(buffer);
        return HexFormat.of().formatHex(buffer);
    }
}
