package org.hotspotbilling.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A router in poll mode: does what mikrotik-scripts/poll.rsc does, step for step, against the app over HTTP, with an
 * in-memory hotspot user table in place of RouterOS (docs/poll-protocol.md, docs/routeros-scripts.md). One
 * {@link #pollOnce()} is one scheduled run of the script:
 * <ul>
 * <li>the token goes in {@code Authorization: Bearer}; every request says {@code confirms=yes};
 * <li>page 1 carries {@code version=} of the list it last applied without failure; {@code #OK unchanged} with the
 * same count as its tagged users changes nothing and logs nothing; another count is drift: it fetches the whole
 * list again;
 * <li>all pages of a pass must carry one version; a page with another one ends the pass with nothing changed;
 * <li>a failed, cut-short or unreadable download changes nothing;
 * <li>tagged users are added, changed and removed to match the list; each gets {@code limit-uptime} of the seconds
 * left (raised to uptime + seconds left when a top-up outgrows it), so access ends even without the backend;
 * <li>after applying, it reports: {@code version} (and the MACs it failed on), so the backend marks what it applied;
 * when anything failed, the version it holds stays, so the next pass fetches and tries again;
 * <li>the log gets one line per change and a warning per failure, repeated only when the failures change.
 * </ul>
 * Not thread-safe: one test drives one router.
 */
public final class PollingRouter {

    public static final String TAG = "hotspot-billing";
    /** As poll.rsc: at most this many failed MACs are named in a report; with more it confirms nothing. */
    private static final int MAX_NAMED_FAILURES = 64;
    /** As poll.rsc: limit-uptime is raised only when a top-up outgrows it by more than this. */
    private static final long LIMIT_SLACK_SECONDS = 60;

    /** What one pass did. */
    public enum Outcome { UNCHANGED, APPLIED, APPLIED_WITH_FAILURES, FETCH_FAILED, INCOMPLETE, VERSION_CHANGED }

    /** A hotspot user as this router holds it: its profile's rate limit, its limit-uptime and uptime (seconds). */
    public record User(String rateLimit, long limitUptimeSeconds, long uptimeSeconds) {
    }

    private static final class Entry {
        String profile;
        long limitUptime;
        long uptime;
        final boolean ours;

        Entry(String profile, long limitUptime, boolean ours) {
            this.profile = profile;
            this.limitUptime = limitUptime;
            this.ours = ours;
        }
    }

    private record Line(String rate, long seconds) {
    }

    /** Where each pass goes: one app, or (behind a load balancer) the instance chosen for that pass. */
    private final Supplier<String> baseUrl;
    private String base;
    private final long routerId;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Entry> users = new TreeMap<>();
    private final Map<String, String> profiles = new TreeMap<>();
    private final List<String> log = new ArrayList<>();
    private String version;
    private String lastProblem = "";
    private boolean offline;
    private int failAdds;
    private Runnable betweenPages = () -> { };

    /** {@code baseUrl} without a trailing slash, e.g. {@code http://localhost:8081}. */
    public PollingRouter(String baseUrl, long routerId, String token) {
        this(() -> baseUrl, routerId, token);
    }

    /** A router whose passes go to the base URL {@code baseUrl} answers when each pass begins. */
    public PollingRouter(Supplier<String> baseUrl, long routerId, String token) {
        this.baseUrl = baseUrl;
        this.routerId = routerId;
        this.token = token;
    }

    /** A router polling the app under test (REST Assured's base URI and port). */
    public static PollingRouter ofApp(long routerId, String token) {
        return new PollingRouter(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port,
                routerId, token);
    }

    /** The hotspot users this router holds (ours and the ISP's own), by name (= MAC). */
    public Map<String, User> users() {
        Map<String, User> view = new TreeMap<>();
        users.forEach((name, e) -> view.put(name, new User(profiles.get(e.profile), e.limitUptime, e.uptime)));
        return view;
    }

    /** While offline every fetch fails, as with the backend unreachable. */
    public void setOffline(boolean offline) {
        this.offline = offline;
    }

    /** The next {@code n} user adds fail, as RouterOS refusing them would. */
    public void failNextAdds(int n) {
        this.failAdds = n;
    }

    /** The list version this router applied without failure and keeps (null: none yet, as after a reboot). */
    public String version() {
        return version;
    }

    /** What the script wrote to the router's log, oldest first. */
    public List<String> log() {
        return List.copyOf(log);
    }

    /** The ISP's own user of that name, without our tag: never changed or removed by the script. */
    public void addForeignUser(String mac) {
        profiles.putIfAbsent("default", "");
        users.put(mac, new Entry("default", 0, false));
    }

    /** Someone removed the user by hand (drift the next unchanged answer's count reveals). */
    public void removeUserByHand(String mac) {
        users.remove(mac);
    }

    /** The device was online this long: limit-uptime counts online time, not wall-clock time. */
    public void setUptime(String mac, long seconds) {
        users.get(mac).uptime = seconds;
    }

    /** Runs after each page but the last is fetched, before the next (a test changes the list mid-pass here). */
    public void betweenPages(Runnable action) {
        this.betweenPages = action;
    }

    /** One run of the poll script. */
    public Outcome pollOnce() {
        base = baseUrl.get().replaceAll("/+$", "");
        Map<String, Line> want = new LinkedHashMap<>();
        String listVersion = null;
        boolean refetch = false;
        int page = 1;
        int pages = 1;
        while (page <= pages) {
            String url = base + "/routers/" + routerId + "/authorized-macs/?format=text&confirms=yes&page=" + page;
            if (page == 1 && version != null && !refetch) {
                url += "&version=" + version;
            }
            String data = fetch("GET", url, null);
            if (data == null) {
                return problem(Outcome.FETCH_FAILED, List.of("fetch of page " + page + " failed (network, TLS or HTTP error); nothing changed"));
            }
            if (!data.startsWith("#OK") || !data.endsWith("#END\n")) {
                return problem(Outcome.INCOMPLETE, List.of("page " + page + " arrived incomplete; nothing changed"));
            }
            int eol = data.indexOf('\n');
            String header = data.substring(0, eol);
            if (header.startsWith("#OK unchanged")) {
                String count = field(header, "count=");
                long tagged = users.values().stream().filter(e -> e.ours).count();
                if (count == null || Long.parseLong(count) == tagged || refetch) {
                    return ok(Outcome.UNCHANGED);
                }
                info("bill-sync: " + tagged + " users here, " + count + " in the list; fetching it whole");
                refetch = true;
                continue;
            }
            String pageVersion = field(header, "version=");
            String pageOf = field(header, "page=");
            if (pageVersion == null || pageOf == null || !pageOf.contains("/")) {
                return problem(Outcome.INCOMPLETE, List.of("page " + page + " arrived incomplete; nothing changed"));
            }
            if (listVersion == null) {
                listVersion = pageVersion;
            } else if (!listVersion.equals(pageVersion)) {
                // The list changed between two pages: the next pass starts over, quietly (it is not a fault).
                return Outcome.VERSION_CHANGED;
            }
            pages = Integer.parseInt(pageOf.substring(pageOf.indexOf('/') + 1));
            int end = data.length() - "#END\n".length();
            for (int pos = eol + 1; pos < end; ) {
                int next = data.indexOf('\n', pos);
                String line = data.substring(pos, next);
                pos = next + 1;
                String[] parts = line.split(",", -1);
                if (parts.length != 3 || parts[0].length() != 17 || !parts[2].contains("/") || !isNumber(parts[1])) {
                    return problem(Outcome.INCOMPLETE, List.of("unreadable line in page " + page + "; nothing changed"));
                }
                want.put(parts[0], new Line(parts[2], Long.parseLong(parts[1])));
            }
            if (page < pages) {
                betweenPages.run();
            }
            page++;
        }
        return apply(listVersion, want);
    }

    private Outcome apply(String listVersion, Map<String, Line> want) {
        List<String> failures = new ArrayList<>();
        Set<String> failedMacs = new LinkedHashSet<>();
        for (Line line : want.values()) {
            String profile = profileName(line.rate());
            if (!line.rate().equals(profiles.get(profile))) {
                profiles.put(profile, line.rate());
            }
        }
        for (String name : List.copyOf(users.keySet())) {
            Entry user = users.get(name);
            if (!user.ours) {
                continue;
            }
            Line line = want.remove(name);
            if (line == null) {
                users.remove(name);
                info("bill-sync: removed " + name);
                continue;
            }
            String profile = profileName(line.rate());
            if (!profile.equals(user.profile)) {
                user.profile = profile;
                info("bill-sync: " + name + " now at " + line.rate());
            }
            long needed = user.uptime + line.seconds();
            if (user.limitUptime == 0 || user.limitUptime + LIMIT_SLACK_SECONDS < needed) {
                user.limitUptime = needed;
                info("bill-sync: " + name + " may stay online " + needed + "s in all");
            }
        }
        for (Map.Entry<String, Line> add : want.entrySet()) {
            String mac = add.getKey();
            if (users.containsKey(mac)) {
                failures.add("cannot add " + mac + ": the router has a user of that name without the tag");
                failedMacs.add(mac);
            } else if (failAdds > 0) {
                failAdds--;
                failures.add("cannot add " + mac);
                failedMacs.add(mac);
            } else {
                users.put(mac, new Entry(profileName(add.getValue().rate()), add.getValue().seconds(), true));
                info("bill-sync: added " + mac + " at " + add.getValue().rate() + " for " + add.getValue().seconds()
                        + "s");
            }
        }
        StringBuilder body = new StringBuilder();
        if (failures.isEmpty()) {
            version = listVersion;
            body.append("version=").append(listVersion).append("\nfailed=0\n");
        } else {
            if (failures.size() <= MAX_NAMED_FAILURES) {
                body.append("version=").append(listVersion).append('\n')
                        .append("macs=").append(String.join(",", failedMacs)).append('\n');
            }
            body.append("failed=").append(failures.size()).append('\n')
                    .append("error=").append(failures.get(failures.size() - 1)).append('\n');
        }
        List<String> problems = new ArrayList<>(failures);
        if (fetch("POST", base + "/routers/" + routerId + "/authorized-macs/applied/", body.toString()) == null) {
            // Not fatal: the next poll, holding the version, confirms it.
            problems.add("could not report the pass; the next poll confirms it");
        }
        Outcome outcome = failures.isEmpty() ? Outcome.APPLIED : Outcome.APPLIED_WITH_FAILURES;
        return problems.isEmpty() ? ok(outcome) : problem(outcome, problems);
    }

    /** The body of a 2xx answer, or null when the fetch failed (offline, or any other status), as /tool fetch. */
    private String fetch(String method, String url, String body) {
        if (offline) {
            return null;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token);
        request = body == null ? request.GET()
                : request.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() / 100 == 2 ? answer.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private Outcome ok(Outcome outcome) {
        if (!lastProblem.isEmpty()) {
            info("bill-sync: back to normal");
            lastProblem = "";
        }
        return outcome;
    }

    /** Logs the failures as warnings, unless the previous pass failed the same way. */
    private Outcome problem(Outcome outcome, List<String> failures) {
        String summary = String.join("; ", failures);
        if (!summary.equals(lastProblem)) {
            failures.forEach(f -> warn("bill-sync: " + f));
            lastProblem = summary;
        }
        return outcome;
    }

    private void info(String line) {
        log.add("info " + line);
    }

    private void warn(String line) {
        log.add("warning " + line);
    }

    static String profileName(String rate) {
        return "bill_" + rate.replace('/', '_');
    }

    private static String field(String header, String key) {
        int at = header.indexOf(key);
        if (at < 0) {
            return null;
        }
        int end = header.indexOf(' ', at);
        return header.substring(at + key.length(), end < 0 ? header.length() : end);
    }

    private static boolean isNumber(String text) {
        return !text.isEmpty() && text.chars().allMatch(Character::isDigit) && Long.parseLong(text) > 0;
    }
}
