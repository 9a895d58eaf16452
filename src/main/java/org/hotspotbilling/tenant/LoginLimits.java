package org.hotspotbilling.tenant;

import jakarta.enterprise.context.ApplicationScoped;
import org.hotspotbilling.crypto.Hashes;
import org.hotspotbilling.web.RateLimiter;
import org.hotspotbilling.web.RateLimiter.Token;

import java.util.Locale;

/**
 * Password guessing and bcrypt-burning floods are limited per account and per caller address, before the
 * credentials are checked, so a refused attempt costs one bucket check and no hash. Every attempt counts, right
 * or wrong: counting only failures would need the hash first. Sizes and reasons: {@code docs/payments-rules.md},
 * "Rate limits".
 */
@ApplicationScoped
public class LoginLimits {

    static final String PER_ADDRESS = "login-per-ip";
    static final String PER_USERNAME = "login-per-username";
    static final String PER_PUBLIC_KEY = "api-key-login-per-key";

    private final RateLimiter limiter;

    public LoginLimits(RateLimiter limiter) {
        this.limiter = limiter;
    }

    /** Before a username and password are checked. Usernames are one account whatever their case. */
    public void passwordLogin(String address, String username) {
        limiter.consume(new Token(PER_ADDRESS, address), new Token(PER_USERNAME, username.toLowerCase(Locale.ROOT)));
    }

    /** Before a key pair is checked; the public key as its hash, so an oversized one makes no oversized bucket id. */
    public void keyPairLogin(String address, String publicKey) {
        limiter.consume(new Token(PER_ADDRESS, address), new Token(PER_PUBLIC_KEY, Hashes.sha256Hex(publicKey)));
    }
}
