package org.hotspotbilling.router;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How we reach routers. */
@ConfigMapping(prefix = "hotspot.router")
public interface RouterConfig {

    /** TCP connect timeout for RouterOS REST calls. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** Time allowed for a RouterOS REST answer. */
    @WithDefault("10s")
    Duration readTimeout();

    /** Allow router hosts on loopback (127.0.0.0/8, ::1): only for tests and labs. */
    @WithDefault("false")
    boolean allowLoopback();

    /** Allow link-local router hosts (169.254.0.0/16, fe80::/10): only for labs. */
    @WithDefault("false")
    boolean allowLinkLocal();

    /**
     * How often routers run their poll script: the scheduler interval poll.rsc installs (10 s). A router that has
     * not polled for {@link #OFFLINE_AFTER_INTERVALS} of these shows as offline.
     */
    @WithDefault("10s")
    Duration pollInterval();

    /**
     * How long this instance keeps an owner's router list (RouterService.listViews): the longest a change made on
     * another instance, or a poll, takes to show in it. Changes made through this instance show at once. 0 = no cache.
     */
    @WithDefault("5s")
    Duration listCacheTtl();

    /** Missed polls after which a poll router counts as offline. */
    int OFFLINE_AFTER_INTERVALS = 3;

    /** Allow cloud metadata endpoints (169.254.169.254, 100.100.100.200, ...): never in production. */
    @WithDefault("false")
    boolean allowMetadata();
}
