package org.hotspotbilling.access;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Delivering grants to routers, and taking them away when they end. */
@ConfigMapping(prefix = "hotspot.access")
public interface AccessConfig {

    Push push();

    Expiry expiry();

    Poll poll();

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

        /**
         * How long delivered jobs are kept (the owner's push status shows the latest ones); older ones are deleted
         * hourly. Queued jobs are never deleted.
         */
        @WithDefault("7d")
        Duration deliveredRetention();
    }

    interface Expiry {
        /** How often grants past their expiry are taken away (the promise: within 60 s). */
        @WithDefault("15s")
        Duration sweepInterval();
    }

    interface Poll {
        /**
         * How long this instance may answer polls from memory (which router a token belongs to, each router's live
         * list) without asking the database again. Changes reach the memory at once through PostgreSQL
         * notifications; this only bounds the harm of one that got lost, and must be well above the routers' poll
         * interval (10 s as poll.rsc installs it) for memory to help at all. 0 = no memory: every poll reads the
         * database.
         */
        @WithDefault("10m")
        Duration cacheTtl();

        /** Grants held in that memory at most, over all routers (about 150 bytes each); the least used go first. */
        @WithDefault("1000000")
        long cacheMaxGrants();

        /** How often the time and list version of the routers' polls are written to their rows, in one statement. */
        @WithDefault("1s")
        Duration recordInterval();
    }
}
