package org.hotspotbilling.web;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Which browser pages may call the API from another origin ({@link CorsPolicy}). */
@ConfigMapping(prefix = "hotspot.cors")
public interface CorsConfig {

    /**
     * Origins of owner dashboards ({@code scheme://host[:port]}, as browsers send them; no wildcards) that may call
     * owner endpoints from a browser, with credentials. None by default. Captive portal endpoints answer any origin
     * regardless.
     */
    Optional<List<String>> ownerOrigins();

    /** How long a browser may reuse a preflight answer ({@code Access-Control-Max-Age}), so preflights stay rare. */
    @WithDefault("24h")
    Duration maxAge();
}
