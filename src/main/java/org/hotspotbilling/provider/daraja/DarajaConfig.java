package org.hotspotbilling.provider.daraja;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Where Safaricom's Daraja API is and how we use it (docs/daraja.md). */
@ConfigMapping(prefix = "hotspot.daraja")
public interface DarajaConfig {

    /** Base URL for credentials with environment=sandbox. */
    @WithDefault("https://sandbox.safaricom.co.ke")
    String sandboxUrl();

    /** Base URL for environment=live. */
    @WithDefault("https://api.safaricom.co.ke")
    String liveUrl();

    /** TCP connect timeout; a connection never made means the request was certainly not sent. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** Time Daraja has to answer once connected; past it the outcome of a push is unknown. */
    @WithDefault("30s")
    Duration readTimeout();

    /** An OAuth token is renewed this long before Daraja says it expires. */
    @WithDefault("60s")
    Duration tokenRenewBefore();
}
