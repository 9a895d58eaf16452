package org.hotspotbilling.plan;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** WiFi packages. */
@ConfigMapping(prefix = "hotspot.packages")
public interface PlanConfig {

    /**
     * How long this instance keeps a captive portal's package list (PlanService.forPortal): the longest a change made on
     * another instance takes to show here. Changes made through this instance show at once. 0 = no cache.
     */
    @WithDefault("5s")
    Duration portalListCacheTtl();
}
