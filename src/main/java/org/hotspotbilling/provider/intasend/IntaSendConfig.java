package org.hotspotbilling.provider.intasend;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Where IntaSend is and how long we wait for it. */
@ConfigMapping(prefix = "hotspot.intasend")
public interface IntaSendConfig {

    /** Base URL of the sandbox API (credentials with environment=sandbox). */
    @WithDefault("https://sandbox.intasend.com/api/v1")
    String sandboxUrl();

    /** Base URL of the live API (environment=live). */
    @WithDefault("https://payment.intasend.com/api/v1")
    String liveUrl();

    /** TCP connect timeout; a connection never made means the request was certainly not sent. */
    @WithDefault("5s")
    Duration connectTimeout();

    /**
     * Time IntaSend has to answer once connected; past it the outcome is unknown and the payment stays open. An
     * STK push can take IntaSend well over 15 s on a busy day; a longer wait turns fewer payments into unknowns.
     */
    @WithDefault("30s")
    Duration readTimeout();
}
