package org.hotspotbilling.web;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits of the JSON API. */
@ConfigMapping(prefix = "hotspot.http")
public interface HttpConfig {

    /**
     * Largest request body accepted, declared or chunked; larger ones get 413 {"error"} before anything is read
     * into a request. Keep {@code quarkus.http.limits.max-body-size} above it: that is the transport's outer guard.
     */
    @WithDefault("64K")
    MemorySize maxBodySize();
}
