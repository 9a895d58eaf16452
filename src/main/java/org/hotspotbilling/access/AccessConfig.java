package org.hotspotbilling.access;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Delivering grants to routers, and taking them away when they end. */
@ConfigMapping(prefix = "hotspot.access")
public interface AccessConfig {

    Push push();

    Expiry expiry();

    interface Push {
        /** Run push delivery in this instance. Off, queued jobs wait for an instance where it is on. */
        @WithDefault("true")
        boolean enabled();

        /** Routers synced at the same time by this instance (each router is still one call at a time). */
        @WithDefault("8")
        int workers();

        /** Backup scan for due jobs; a completed payment wakes the worker of its instance at once. */
        @WithDefault("5s")
        Duration sweepInterval();

        /**
         * How long a worker owns a router before another worker or instance may take it over (a crashed worker's
         * router is retried after this). Renewed while a long pass is running.
         */
        @WithDefault("2m")
        Duration lease();

        /** First wait after a failed pass; doubled per consecutive failure, with jitter, up to retry-max. */
        @WithDefault("5s")
        Duration retryBase();

        @WithDefault("5m")
        Duration retryMax();

        /** How often a push router that answers is compared with its live grants and repaired (0 = never). */
        @WithDefault("10m")
        Duration driftInterval();
    }

    interface Expiry {
        /** How often grants past their expiry are taken away (the promise: within 60 s). */
        @WithDefault("15s")
        Duration sweepInterval();
    }
}
