package org.hotspotbilling.fault;

import java.io.IOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A poll router reduced to what the fault run needs, as {@code mikrotik-scripts/poll.rsc} does it: every interval
 * it fetches {@code GET /routers/{id}/authorized-macs/?format=text&token=…} (and {@code version=} of the
 * list it holds, answered {@code #OK unchanged} when nothing changed), all pages, and replaces its list with the
 * answer. Kept on its own so it can be swapped for {@code testing/PollingRouter} (with the confirm call) once that
 * exists on main.
 */
final class MinimalPollingRouter implements Hotspot {

    private final long routerId;
    private final String token;
    private final Balancer balancer;
    private final SplittableRandom choices;
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
    private volatile Set<String> macs = Set.of();
    private volatile String version;
    private volatile boolean silent;

    MinimalPollingRouter(long routerId, String token, Balancer balancer, long seed, long everyMillis) {
        this.routerId = routerId;
        this.token = token;
        this.balancer = balancer;
        this.choices = new SplittableRandom(seed);
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
        silent = on;
    }

    @Override
    public void close() {
        clock.shutdownNow();
    }

    private void poll() {
        if (silent) {
            return;
        }
        int instance = choices.nextInt(2);
        try {
            Set<String> fetched = new HashSet<>();
            String fetchedVersion = null;
            int pages = 1;
            for (int page = 1; page <= pages; page++) {
                String query = "?format=text&page=" + page + "&token=" + token
                        + (page == 1 && version != null ? "&version=" + version : "");
                Balancer.Answer answer = balancer.get(instance, "/routers/" + routerId + "/authorized-macs/" + query,
                        Map.of());
                if (answer.status() != 200) {
                    return; // a router script logs and tries at the next interval
                }
                String[] lines = answer.body().split("\n");
                if (lines[0].startsWith("#OK unchanged")) {
                    return;
                }
                if (!lines[0].startsWith("#OK v1") || !lines[lines.length - 1].equals("#END")) {
                    return; // cut short: keep the list held
                }
                fetchedVersion = field(lines[0], "version");
                pages = Integer.parseInt(field(lines[0], "page").split("/")[1]);
                for (int i = 1; i < lines.length - 1; i++) {
                    fetched.add(lines[i].split(",")[0].toUpperCase(Locale.ROOT));
                }
            }
            Instant now = Instant.now();
            fetched.forEach(mac -> firstSeen.putIfAbsent(mac, now));
            macs = Set.copyOf(fetched);
            version = fetchedVersion;
        } catch (IOException | RuntimeException e) {
            // unreachable or unreadable: the list held stays, as on a real router
        }
    }

    private static String field(String header, String name) {
        for (String part : header.split(" ")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        throw new IllegalStateException("no " + name + " in " + header);
    }
}
