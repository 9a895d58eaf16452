package org.hotspotbilling.fault;

import org.hotspotbilling.testing.FakeRouterOs;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A push router: the fake RouterOS the app writes hotspot users to, watched every 20 ms so the moment a MAC's
 * user first appears is known to within that. An outage answers every call 503, or (hanging) answers only after
 * the app's read timeout.
 */
final class PushHotspot implements Hotspot {

    private static final String USERS = "/ip/hotspot/user";

    private final FakeRouterOs router = new FakeRouterOs();
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
    private final Duration hang;
    private volatile long routerId;

    PushHotspot(Duration hang) {
        this.hang = hang;
        watch.scheduleWithFixedDelay(this::look, 20, 20, TimeUnit.MILLISECONDS);
    }

    FakeRouterOs fake() {
        return router;
    }

    void routerId(long id) {
        this.routerId = id;
    }

    @Override
    public long routerId() {
        return routerId;
    }

    @Override
    public String delivery() {
        return "push";
    }

    @Override
    public Set<String> macs() {
        for (int attempt = 0; ; attempt++) {
            try {
                Set<String> macs = new HashSet<>();
                router.rows(USERS).forEach(row -> macs.add(row.get("name").toUpperCase(Locale.ROOT)));
                return macs;
            } catch (RuntimeException e) { // the fake's table changed while read: read again
                if (attempt > 10) {
                    throw e;
                }
            }
        }
    }

    @Override
    public Map<String, Instant> firstSeen() {
        return Map.copyOf(firstSeen);
    }

    @Override
    public void outage(boolean on, boolean hangs) {
        if (hangs) {
            router.delay(on ? hang : Duration.ZERO);
        } else {
            router.failWith(on ? 503 : 0);
        }
    }

    @Override
    public void close() {
        watch.shutdownNow();
        router.close();
    }

    private void look() {
        try {
            Instant now = Instant.now();
            macs().forEach(mac -> firstSeen.putIfAbsent(mac, now));
        } catch (RuntimeException e) {
            // next look
        }
    }
}
