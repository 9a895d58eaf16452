package org.hotspotbilling.hooks;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;

/** Owner webhooks (docs/webhooks.md). Endpoint hosts follow the routers' address policy (router/HostPolicy). */
@ConfigMapping(prefix = "hotspot.webhooks")
public interface WebhookConfig {

    /** Only https:// endpoint URLs are accepted. Off in dev and tests, where receivers listen on plain http. */
    @WithDefault("true")
    boolean requireHttps();

    /** After a secret rotation, how long the previous secret keeps signing beside the new one. */
    @WithDefault("24h")
    Duration secretOverlap();

    /** No TCP connection to the endpoint within it: the attempt failed. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** Connected, but no complete answer within it: the attempt failed (the endpoint may have acted: at-least-once). */
    @WithDefault("10s")
    Duration readTimeout();

    /**
     * Waits after the first attempt, one per retry: a delivery gets one attempt more than there are waits. Each wait
     * is taken with ±20% jitter. The default spans about 3 days.
     */
    @WithDefault("5s,5m,30m,2h,5h,10h,10h,10h,10h,10h,10h")
    List<Duration> retrySchedule();

    /** Deliver from this instance (every instance may; they share deliveries by lease). */
    @WithDefault("true")
    boolean enabled();

    /** Deliveries this instance sends at the same time. */
    @WithDefault("4")
    int workers();

    /** Backup scan for due deliveries (an event written by this instance wakes its worker at once). */
    @WithDefault("2s")
    Duration sweepInterval();

    /** How long a worker owns a delivery; a crashed worker's delivery is retried after it. Above the timeouts. */
    @WithDefault("1m")
    Duration lease();

    /** How often routers' polls are compared with what owners were last told (router.online / router.offline). */
    @WithDefault("15s")
    Duration routerCheckInterval();

    /**
     * How long events are kept (with their deliveries and attempts): the furthest back a replay can reach. Older
     * ones are deleted hourly, except events with a delivery still queued.
     */
    @WithDefault("30d")
    Duration retention();
}
