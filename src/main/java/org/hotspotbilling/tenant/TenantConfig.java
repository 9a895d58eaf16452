package org.hotspotbilling.tenant;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Owner accounts and tokens. */
@ConfigMapping(prefix = "hotspot.auth")
public interface TenantConfig {

    Jwt jwt();

    /** bcrypt cost factor for owner passwords (each +1 doubles the work). */
    @WithDefault("11")
    int bcryptCost();

    /**
     * How long this instance remembers which owner a portal public key belongs to (ApiKeyService), and whether the
     * owner a token names is active (JwtOwnerCheck): the longest a key rotated on another instance, or an owner
     * disabled in the database, can still be accepted here. 0 = off.
     */
    @WithDefault("5s")
    Duration publicKeyCacheTtl();

    interface Jwt {
        /** The {@code iss} claim written into and required of every token. */
        @WithDefault("hotspot-billing")
        String issuer();

        /** The {@code aud} claim written into and required of every token. */
        @WithDefault("hotspot-billing-api")
        String audience();

        /** How long an access token is valid. */
        @WithDefault("PT1H")
        Duration accessTokenLifespan();

        /** How long a refresh token is valid. */
        @WithDefault("P7D")
        Duration refreshTokenLifespan();
    }
}
