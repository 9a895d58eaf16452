package org.hotspotbilling.fault;

import org.hotspotbilling.testing.PollingRouter;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A poll router: {@code testing/PollingRouter} (what {@code mikrotik-scripts/poll.rsc} does, confirming what it
 * applied) run every interval on a thread of its own, each pass through the balancer to an instance drawn from the
 * seed. A MAC is on the router from the pass that added its hotspot user, before that pass reports it: the moment
 * the customer's device can log in. An outage is a silent router (every fetch fails, as with its uplink down).
 */
final class PollHotspot implements Hotspot {

    private final long routerId;
    private final PollingRouter router;
    /** The router runs on this one thread (PollingRouter is not thread-safe); outages are switched on it too. */
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
    private volatile Set<String> macs = Set.of();

    PollHotspot(long routerId, String token, Balancer balancer, long seed, long everyMillis) {
        this.routerId = routerId;
        SplittableRandom choices = new SplittableRandom(seed);
        this.router = new PollingRouter(() -> balancer.baseUrlFor(choices.nextInt(2)), routerId, token);
        clock.scheduleWithFixedDelay(this::poll, everyMillis, everyMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public long routerId() {
        return routerId;
    }

    @Override
    public String delivery() {
        return "poll";
    }

    @Override
    public Set<String> macs() {
        return macs;
    }

    @Override
    public Map<String, Instant> firstSeen() {
        return Map.copyOf(firstSeen);
    }

    @Override
    public void outage(boolean on, boolean hangs) {
        clock.execute(() -> router.setOffline(on));
    }

    @Override
    public void close() {
        clock.shutdownNow();
    }

    private void poll() {
        try {
            router.pollOnce();
        } catch (RuntimeException e) {
            // an answer the script cannot parse: it logs and runs again at the next interval
        }
        Set<String> now = Set.copyOf(router.users().keySet());
        Instant at = Instant.now();
        now.forEach(mac -> firstSeen.putIfAbsent(mac, at));
        macs = now;
    }
}
