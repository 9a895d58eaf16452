package bench;

import static bench.BenchKit.*;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * The access benchmark (issue 7, point 7): the router poll endpoint with many routers and grants, next to a trivial
 * endpoint in the same run, and completion → first call received by a (fake) push router. No dependencies
 * beyond {@link BenchKit}; bench/poll.sh compiles the two, starts the app and the fake router and runs it.
 *
 * <p>Setup: {@code routers} poll routers with {@code grants} live grants each are written straight into the database
 * (generate_series; router n's poll token is {@code pollbench-<id>}), and every router is polled once to learn its
 * version. Lines, each over {@code conns} keep-alive connections in a closed loop, each request for a random router:
 * <ul>
 * <li>live: {@code GET /q/health/live}, the baseline;
 * <li>full: the router's whole list, text form, no version held (200);
 * <li>etag: {@code If-None-Match} with the router's ETag (304);
 * <li>version: {@code ?version=} with the router's version ({@code #OK unchanged});
 * <li>confirming: the same as poll.rsc sends it, {@code confirms=yes} (the poll that also confirms the version held);
 * <li>changed: sweeps; before each, one SQL statement extends one grant of every router (as another instance or an
 * admin would; the app learns only from the database), then after a pause (one line per pause in
 * {@code change-settle}) every router polls once with the version it held and must get the new list (200) — an
 * answer with the old version counts as unexpected;
 * <li>push: {@code push-routers} routers with delivery push, served by bench/FakeRouter.java; per rate in
 * {@code payment-rate}, {@code payments} simulator payments initiated through the portal API, then completed by
 * simulate-callback at that rate; the latency of each is from the payment's completed_at (the app's clock inside the
 * completing transaction) to the arrival at the fake router of the {@code PUT /rest/ip/hotspot/user} that adds its
 * MAC.
 * </ul>
 *
 * <p>Options ({@code --name value}): base-url, routers (10000), grants (20), warmup (5 s), duration (15 s), conns
 * (32), app-warmup (5 s per path and JIT round; 0 = none), app-warmup-rounds (8), only (comma list of
 * live,full,etag,version,confirming,changed,push), sweeps (3), change-settle (pauses in s between the change and the
 * polls, comma list: "1,0"), push-routers (100), payments (1000), warmup-payments (500: an unmeasured round first),
 * payment-rate (comma list, one round each: "20,50,100" per s), payment-conns (8), fake-url, app-pid, fake-pid,
 * pg-data, db-port, out.
 */
public class PollLoad {

    // ---------------------------------------------------------------------------------------------- options

    static double warmup;
    static double duration;

    static long ownerId;
    static long[] routerIds;
    static String[] versions;
    static String[] etags;
    static int grants;

    public static void main(String[] argv) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            o.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        URI base = URI.create(o.getOrDefault("base-url", "http://127.0.0.1:8000"));
        host = base.getHost();
        port = base.getPort();
        warmup = Double.parseDouble(o.getOrDefault("warmup", "5"));
        duration = Double.parseDouble(o.getOrDefault("duration", "15"));
        int conns = Integer.parseInt(o.getOrDefault("conns", "32"));
        int routers = Integer.parseInt(o.getOrDefault("routers", "10000"));
        grants = Integer.parseInt(o.getOrDefault("grants", "20"));
        appPid = Long.parseLong(o.getOrDefault("app-pid", "0"));
        fakePid = Long.parseLong(o.getOrDefault("fake-pid", "0"));
        pgData = o.containsKey("pg-data") ? Path.of(o.get("pg-data")) : null;
        dbPort = Integer.parseInt(o.getOrDefault("db-port", "0"));
        Path out = Path.of(o.getOrDefault("out", "poll-table.md"));
        Set<String> only = Set.of(o.getOrDefault("only", "live,full,etag,version,confirming,changed,push")
                .split(","));

        seed(routers, grants);
        prime(conns);

        IntFunction<Req> live = r -> new Req("GET", "/q/health/live", "", 200, "{");
        IntFunction<Req> full = r -> new Req("GET", pollPath(r, ""), auth(r), 200, "#OK v1 ");
        IntFunction<Req> etag = r -> new Req("GET", pollPath(r, ""), auth(r) + "If-None-Match: " + etags[r] + "\r\n",
                304, "");
        IntFunction<Req> version = r -> new Req("GET", pollPath(r, "&version=" + versions[r]), auth(r), 200,
                "#OK unchanged");
        IntFunction<Req> confirming = r -> new Req("GET", pollPath(r, "&confirms=yes&version=" + versions[r]),
                auth(r), 200, "#OK unchanged");

        double appWarmup = Double.parseDouble(o.getOrDefault("app-warmup", "5"));
        int rounds = Integer.parseInt(o.getOrDefault("app-warmup-rounds", "8"));
        String warmupNote = jitWarmup(appWarmup, rounds, conns, List.of(live, full, etag, version, confirming));

        List<Result> results = new ArrayList<>();
        Result baseline = null;
        if (only.contains("live")) {
            baseline = run("GET /q/health/live (baseline)", conns, live);
            results.add(baseline.target("—", true));
        }
        double b = baseline == null ? Double.NaN : baseline.rps;
        if (only.contains("full")) {
            Result r = run("Poll, full list (200, text, " + grants + " grants, no version held)", conns, full);
            results.add(r.target("≥ 5,000 req/s, p99 < 20 ms, ≥ 0.5× baseline",
                    r.rps >= 5000 && r.p99 < 20 && r.rps >= 0.5 * b, b));
        }
        if (only.contains("etag")) {
            Result r = run("Poll, unchanged: If-None-Match (304)", conns, etag);
            results.add(r.target("≥ 0.8× baseline", r.rps >= 0.8 * b, b));
        }
        if (only.contains("version")) {
            Result r = run("Poll, unchanged: ?version= (#OK unchanged)", conns, version);
            results.add(r.target("≥ 0.8× baseline", r.rps >= 0.8 * b, b));
        }
        if (only.contains("confirming")) {
            Result r = run("Poll, unchanged, as poll.rsc sends it: confirms=yes&version= (#OK unchanged)", conns,
                    confirming);
            results.add(r.target("≥ 0.8× baseline", r.rps >= 0.8 * b, b));
        }
        String changedNote = null;
        if (only.contains("changed")) {
            int sweeps = Integer.parseInt(o.getOrDefault("sweeps", "3"));
            double change = 0;
            for (String settle : o.getOrDefault("change-settle", "1,0").split(",")) {
                Result r = changed(conns, sweeps, Double.parseDouble(settle));
                results.add(r.target("≥ 5,000 req/s, p99 < 20 ms, ≥ 0.5× baseline",
                        r.rps >= 5000 && r.p99 < 20 && r.rps >= 0.5 * b, b));
                change += r.changeSeconds / sweeps;
            }
            changedNote = String.format(Locale.ROOT, "After a change: %d sweeps per line; before each, one SQL UPDATE "
                    + "extended one grant of each of the %,d routers (as another instance would: the app learns of it "
                    + "from the database only; %.1f s on average, not measured), then the given pause, then every "
                    + "router polled once with the version it held (an answer with that old version counts as "
                    + "unexpected: the app had not yet heard of the change from the database). req/s and latencies are of those polls; CPU, CPU ms/req and commits/req count "
                    + "from the end of the UPDATE (so the app's work on the change is included) to the last poll.",
                    sweeps, routerIds.length, change / o.getOrDefault("change-settle", "1,0").split(",").length);
        }
        PushRun push = null;
        if (only.contains("push")) {
            push = push(o.getOrDefault("fake-url", "http://127.0.0.1:8001"),
                    Integer.parseInt(o.getOrDefault("push-routers", "100")),
                    Integer.parseInt(o.getOrDefault("payments", "1000")),
                    Integer.parseInt(o.getOrDefault("warmup-payments", "500")),
                    Arrays.stream(o.getOrDefault("payment-rate", "20,50,100").split(","))
                            .mapToDouble(Double::parseDouble).toArray(),
                    Integer.parseInt(o.getOrDefault("payment-conns", "8")));
        }

        String table = table(results, warmupNote, changedNote, push);
        System.out.println();
        System.out.println(table);
        Files.writeString(out, table);
        log("table written to " + out);
        if (push != null && !push.verified) {
            System.exit(3);
        }
    }

    static String pollPath(int r, String extra) {
        return "/routers/" + routerIds[r] + "/authorized-macs/?format=text" + extra;
    }

    static String auth(int r) {
        return "Authorization: Bearer pollbench-" + routerIds[r] + "\r\n";
    }

    // ---------------------------------------------------------------------------------------------- setup

    /** Writes the poll routers and their grants once per database (a kept database is reused as it is). */
    static void seed(int routers, int grantsEach) throws Exception {
        String existing = psql("SELECT id FROM owner_account WHERE username = 'pollbench'");
        if (existing.isEmpty()) {
            log(String.format(Locale.ROOT, "seeding %,d routers × %d grants in SQL", routers, grantsEach));
            long t0 = System.nanoTime();
            psql("INSERT INTO owner_account (username, email, password_hash, created_at, updated_at) "
                    + "VALUES ('pollbench', 'pollbench@isp.example', '!', now(), now())");
            ownerId = Long.parseLong(psql("SELECT id FROM owner_account WHERE username = 'pollbench'"));
            psql("INSERT INTO router (owner_id, name, host, port, username, created_at, updated_at) "
                    + "SELECT " + ownerId + ", 'poll bench ' || n, '192.0.2.1', 80, 'api', now(), now() "
                    + "FROM generate_series(1, " + routers + ") n");
            // The token of router <id> is "pollbench-<id>"; only its SHA-256 is stored, as for a real one.
            psql("UPDATE router SET poll_token_sha256 = encode(sha256(convert_to('pollbench-' || id, 'UTF8')), 'hex') "
                    + "WHERE owner_id = " + ownerId);
            psql("INSERT INTO access_grant (owner_id, router_id, mac_address, expires_at, rate_limit, state, "
                    + "created_at, updated_at) SELECT r.owner_id, r.id, upper(concat_ws(':', '02', "
                    + "lpad(to_hex((r.id >> 16) & 255), 2, '0'), lpad(to_hex((r.id >> 8) & 255), 2, '0'), "
                    + "lpad(to_hex(r.id & 255), 2, '0'), 'A0', lpad(to_hex(g), 2, '0'))), "
                    + "now() + interval '1 day' + g * interval '1 minute', '2M/5M', 'on_router', now(), "
                    + "now() - g * interval '1 second' FROM router r, generate_series(1, " + grantsEach + ") g "
                    + "WHERE r.owner_id = " + ownerId);
            psql("ANALYZE");
            log(String.format(Locale.ROOT, "  seeded in %.1f s", (System.nanoTime() - t0) / 1e9));
        } else {
            ownerId = Long.parseLong(existing);
            log("reusing the poll routers of owner " + ownerId);
        }
        routerIds = Arrays.stream(psql("SELECT id FROM router WHERE owner_id = " + ownerId + " ORDER BY id")
                .split("\n")).mapToLong(Long::parseLong).toArray();
        versions = new String[routerIds.length];
        etags = new String[routerIds.length];
    }

    /** Every router polls once, as after a restart, so each line below knows the version each router holds. */
    static void prime(int conns) throws Exception {
        log(String.format(Locale.ROOT, "priming: every router polls once (%,d requests)", routerIds.length));
        AtomicInteger next = new AtomicInteger();
        AtomicInteger bad = new AtomicInteger();
        long t0 = System.nanoTime();
        parallel(conns, conn -> {
            int r;
            while ((r = next.getAndIncrement()) < routerIds.length) {
                Resp resp = conn.send("GET", pollPath(r, ""), auth(r), null);
                String body = resp.text();
                if (resp.status != 200 || !body.startsWith("#OK v1 ") || !body.contains(" count=" + grants + " ")) {
                    if (bad.getAndIncrement() == 0) {
                        System.err.println("priming: " + resp.status + " " + truncate(body, 200));
                    }
                    continue;
                }
                versions[r] = versionOf(body);
                etags[r] = resp.etag;
            }
        });
        log(String.format(Locale.ROOT, "  primed in %.1f s", (System.nanoTime() - t0) / 1e9));
        if (bad.get() > 0) {
            throw new IllegalStateException(bad.get() + " routers did not answer their list of " + grants);
        }
    }

    static String versionOf(String body) {
        return group(body, "^#OK v1 \\S+ \\S+ version=(\\S+) ");
    }

    /**
     * A freshly started JVM interprets, then compiles the hot paths, and its JIT compiler threads compete with
     * everything else for the same 2 cores: unmeasured rounds on every path until a round in which the compiler
     * threads used less than 0.1 cores (or the round limit).
     */
    static String jitWarmup(double seconds, int maxRounds, int conns, List<IntFunction<Req>> paths) throws Exception {
        if (seconds <= 0) {
            return "No JIT warm-up rounds.";
        }
        double w = warmup;
        double d = duration;
        warmup = 0;
        duration = seconds;
        Pg.quiet = true;
        int round = 0;
        double jit = 0;
        long failures = 0;
        while (round < maxRounds) {
            round++;
            long jit0 = Cpu.compilerTicks();
            long t0 = System.nanoTime();
            for (IntFunction<Req> path : paths) {
                Result r = run("JIT warm-up round " + round, conns, path);
                failures += r.unexpected + r.errors;
            }
            jit = (Cpu.compilerTicks() - jit0) / 100.0 / ((System.nanoTime() - t0) / 1e9);
            log(String.format(Locale.ROOT, "JIT warm-up round %d: compiler threads used %.2f cores", round, jit));
            if (jit < 0.10) {
                break;
            }
        }
        Pg.quiet = false;
        warmup = w;
        duration = d;
        return String.format(Locale.ROOT, "Before the lines: %d JIT warm-up round(s) of %.0f s on each poll path and "
                + "the baseline (until the app's compiler threads used < 0.1 cores in a round; last round: %.2f; "
                + "unexpected answers during them: %d).", round, seconds, jit, failures);
    }

    // ---------------------------------------------------------------------------------------------- timed runs

    /** A request and what a correct answer looks like: its status and how its body starts. */
    record Req(String method, String path, String headers, int status, String bodyStart) {
    }

    static final class Result {
        String label;
        int conns;
        long count;
        double seconds;
        double rps;
        double p50;
        double p99;
        long unexpected;
        long errors;
        Cpu cpu;
        Pg pg;
        String target;
        boolean met;
        double baseline = Double.NaN;
        String firstUnexpected;
        double changeSeconds;
        /** Seconds the CPU columns cover, when not the measured window (the changed lines). */
        double cpuSeconds;

        Result target(String target, boolean met) {
            this.target = target;
            this.met = met;
            return this;
        }

        /** CPU milliseconds per answered request, from cores averaged over the window the CPU columns cover. */
        double cpuMsPerRequest(double cores) {
            double window = cpuSeconds > 0 ? cpuSeconds : seconds;
            return cores * window * 1000 / count;
        }

        Result target(String target, boolean met, double baseline) {
            this.baseline = baseline;
            return target(target, met);
        }
    }

    /** One line: {@code warmup} seconds unmeasured, then {@code duration} seconds measured, random routers. */
    static Result run(String label, int conns, IntFunction<Req> requests) throws Exception {
        log(String.format(Locale.ROOT, "run: %s, %d connections, %.0f s warm-up + %.0f s", label, conns, warmup,
                duration));
        long start = System.nanoTime() + 500_000_000L; // time for every connection to open
        long measureFrom = start + (long) (warmup * 1e9);
        long end = measureFrom + (long) (duration * 1e9);
        long[][] latencies = new long[conns][];
        int[] counts = new int[conns];
        AtomicLong unexpected = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        String[] first = new String[1];
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < conns; t++) {
            int me = t;
            Thread thread = new Thread(() -> {
                long[] lat = new long[1 << 14];
                int n = 0;
                Conn conn = null;
                try {
                    conn = new Conn();
                    while (System.nanoTime() < start) {
                        Thread.sleep(1);
                    }
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= end) {
                            break;
                        }
                        Req req = requests.apply(ThreadLocalRandom.current().nextInt(routerIds.length));
                        int outcome; // 0 ok, 1 unexpected, 2 error
                        try {
                            if (conn == null) {
                                conn = new Conn();
                            }
                            Resp resp = conn.send(req.method, req.path, req.headers, null);
                            if (resp.close) {
                                conn.close();
                                conn = null;
                            }
                            outcome = expected(req, resp) ? 0 : 1;
                            if (outcome == 1 && first[0] == null) {
                                first[0] = resp.status + " " + truncate(resp.text(), 160);
                            }
                        } catch (IOException e) {
                            outcome = 2;
                            if (conn != null) {
                                conn.close();
                                conn = null;
                            }
                        }
                        long t1 = System.nanoTime();
                        if (t1 >= measureFrom && t1 <= end) {
                            if (n == lat.length) {
                                lat = Arrays.copyOf(lat, n * 2);
                            }
                            lat[n++] = t1 - t0;
                            if (outcome == 1) {
                                unexpected.incrementAndGet();
                            } else if (outcome == 2) {
                                errors.incrementAndGet();
                            }
                        }
                    }
                } catch (Exception e) {
                    System.err.println("worker failed: " + e);
                } finally {
                    if (conn != null) {
                        conn.close();
                    }
                    latencies[me] = lat;
                    counts[me] = n;
                }
            }, "load-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        while (System.nanoTime() < measureFrom) {
            Thread.sleep(5);
        }
        Pg.Snapshot pgBefore = Pg.snapshot();
        Pg.Sampler sampler = Pg.sample(end);
        Cpu.Snapshot before = Cpu.snapshot();
        while (System.nanoTime() < end) {
            Thread.sleep(5);
        }
        Cpu.Snapshot after = Cpu.snapshot();
        Pg.Snapshot pgAfter = Pg.snapshot();
        for (Thread thread : threads) {
            thread.join(60_000);
        }
        Result r = summarise(label, conns, latencies, counts, duration);
        r.unexpected = unexpected.get();
        r.errors = errors.get();
        r.cpu = Cpu.between(before, after);
        r.pg = Pg.between(pgBefore, pgAfter, sampler, r.count);
        r.firstUnexpected = first[0];
        report(r);
        return r;
    }

    static boolean expected(Req req, Resp resp) {
        if (resp.status != req.status) {
            return false;
        }
        byte[] start = req.bodyStart.getBytes(StandardCharsets.US_ASCII);
        if (resp.body.length < start.length) {
            return false;
        }
        return Arrays.equals(resp.body, 0, start.length, start, 0, start.length);
    }

    /**
     * Sweeps of "the list changed since the router last polled": one UPDATE changes one grant of every router
     * (from outside the app, so only the database can tell it), then each router polls once with the version it
     * held. Only the polls are measured, CPU included.
     */
    static Result changed(int conns, int sweeps, double settle) throws Exception {
        String label = String.format(Locale.ROOT, "Poll after a change, %.0f s later (200, text, ?version= of the "
                + "old list)", settle);
        log(String.format(Locale.ROOT, "run: %s, %d connections, %d sweeps of %,d routers", label, conns, sweeps,
                routerIds.length));
        List<long[]> all = new ArrayList<>();
        AtomicLong unexpected = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        String[] first = new String[1];
        double pollSeconds = 0;
        double changeSeconds = 0;
        double cpuSeconds = 0;
        Cpu.Sum cpu = new Cpu.Sum();
        long commits = 0;
        Pg.Sampler sampler = null;
        for (int sweep = 1; sweep <= sweeps; sweep++) {
            long c0 = System.nanoTime();
            psql("UPDATE access_grant g SET expires_at = g.expires_at + interval '1 second', "
                    + "updated_at = clock_timestamp() WHERE g.id IN (SELECT min(id) FROM access_grant "
                    + "WHERE owner_id = " + ownerId + " GROUP BY router_id)");
            changeSeconds += (System.nanoTime() - c0) / 1e9;
            Pg.Snapshot pgBefore = Pg.snapshot();
            Cpu.Snapshot before = Cpu.snapshot();
            Thread.sleep((long) (settle * 1000));
            AtomicInteger next = new AtomicInteger();
            long[][] latencies = new long[conns][];
            int[] counts = new int[conns];
            AtomicInteger slot = new AtomicInteger();
            long t0 = System.nanoTime();
            parallel(conns, conn -> {
                int me = slot.getAndIncrement();
                long[] lat = new long[routerIds.length];
                int n = 0;
                int r;
                while ((r = next.getAndIncrement()) < routerIds.length) {
                    String held = versions[r];
                    long a = System.nanoTime();
                    Resp resp;
                    try {
                        resp = conn.send("GET", pollPath(r, "&version=" + held), auth(r), null);
                    } catch (IOException e) {
                        errors.incrementAndGet();
                        conn.reopen();
                        continue;
                    }
                    lat[n++] = System.nanoTime() - a;
                    String body = resp.text();
                    if (resp.status != 200 || !body.startsWith("#OK v1 ") || versionOf(body).equals(held)) {
                        unexpected.incrementAndGet();
                        if (first[0] == null) {
                            first[0] = resp.status + " " + truncate(body, 160);
                        }
                        continue;
                    }
                    versions[r] = versionOf(body);
                    etags[r] = resp.etag;
                }
                latencies[me] = lat;
                counts[me] = n;
            });
            pollSeconds += (System.nanoTime() - t0) / 1e9;
            cpu.add(before, Cpu.snapshot());
            cpuSeconds = cpu.seconds;
            Pg.Snapshot pgAfter = Pg.snapshot();
            if (pgBefore != null && pgAfter != null) {
                commits += pgAfter.commits() - pgBefore.commits();
            }
            for (int i = 0; i < conns; i++) {
                all.add(Arrays.copyOf(latencies[i] == null ? new long[0] : latencies[i], counts[i]));
            }
            log(String.format(Locale.ROOT, "  sweep %d: %,d polls, %d unexpected so far", sweep, routerIds.length,
                    unexpected.get()));
        }
        long[][] lat = all.toArray(new long[0][]);
        int[] counts = all.stream().mapToInt(a -> a.length).toArray();
        Result r = summarise(label, conns, lat, counts, pollSeconds);
        r.unexpected = unexpected.get();
        r.errors = errors.get();
        r.cpu = cpu.cores();
        r.cpuSeconds = cpuSeconds;
        r.firstUnexpected = first[0];
        r.changeSeconds = changeSeconds;
        if (dbPort != 0) {
            r.pg = new Pg();
            r.pg.commitsPerRequest = commits / (double) Math.max(1, r.count);
            r.pg.busy = Double.NaN;
        }
        report(r);
        return r;
    }

    static Result summarise(String label, int conns, long[][] latencies, int[] counts, double seconds) {
        int total = 0;
        for (int c : counts) {
            total += c;
        }
        long[] all = new long[total];
        int k = 0;
        for (int i = 0; i < latencies.length; i++) {
            if (latencies[i] != null) {
                System.arraycopy(latencies[i], 0, all, k, counts[i]);
                k += counts[i];
            }
        }
        Arrays.sort(all, 0, k);
        Result r = new Result();
        r.label = label;
        r.conns = conns;
        r.count = k;
        r.seconds = seconds;
        r.rps = k / seconds;
        r.p50 = percentile(all, k, 0.50) / 1e6;
        r.p99 = percentile(all, k, 0.99) / 1e6;
        return r;
    }


    static void report(Result r) {
        log(String.format(Locale.ROOT, "  %,.0f req/s  p50 %.1f ms  p99 %.1f ms  unexpected %d  errors %d  cpu %s  db %s",
                r.rps, r.p50, r.p99, r.unexpected, r.errors, r.cpu, r.pg));
        if (r.firstUnexpected != null) {
            log("  first unexpected answer: " + r.firstUnexpected);
        }
    }

    // ---------------------------------------------------------------------------------------------- push

    /** The push rounds of a run, after the unmeasured warm-up round, and the checks made at the end. */
    static final class PushRun {
        int routers;
        int warmupPayments;
        int conns;
        List<Push> rounds = new ArrayList<>();
        List<String> checks = new ArrayList<>();
        boolean verified = true;
    }

    /** One round of payments completed at one rate. */
    static final class Push {
        int payments;
        double rate;
        int conns;
        double createSeconds;
        double completeSeconds;
        int arrived;
        double p50;
        double p99;
        double max;
        double sentP50;
        double sentP99;
        double callbackP50;
        double callbackP99;
        Cpu cpu;
        double windowSeconds;
    }

    /** The owner, push routers and packages the push rounds use. */
    record PushShop(long owner, String portal, String jwt, long[] routers, long[] plans, String routerList,
            String fakeUrl) {
    }

    /**
     * Push routers on the fake, payments made through the portal API and completed by simulate-callback at a fixed
     * rate (open loop); then, per payment, completed_at → the fake's first PUT of its MAC. An unmeasured round of
     * {@code warmupPayments} first, so that the completion and push paths run compiled, as in a running service.
     */
    static PushRun push(String fakeUrl, int routerCount, int payments, int warmupPayments, double[] rates, int conns)
            throws Exception {
        PushRun run = new PushRun();
        run.routers = routerCount;
        run.warmupPayments = warmupPayments;
        run.conns = conns;
        PushShop shop = pushShop(fakeUrl, routerCount);
        int tag = 0xB0;
        if (warmupPayments > 0) {
            log(String.format(Locale.ROOT, "push: warm-up round of %,d payments (not measured)", warmupPayments));
            round(shop, new Push(), tag++, warmupPayments, rates[0], conns);
        }
        for (double rate : rates) {
            Push p = new Push();
            p.payments = payments;
            p.rate = rate;
            round(shop, p, tag++, payments, rate, conns);
            run.rounds.add(p);
            awaitNoQueuedJobs(shop.routerList(), 60);
        }
        long total = warmupPayments + (long) payments * rates.length;
        check(run, "payments completed, warm-up round included (SQL)", sql("SELECT count(*) FROM payment "
                + "WHERE owner_id = " + shop.owner() + " AND status = 'completed'"), total);
        check(run, "users added on the fake routers in the measured rounds (first PUT per MAC)",
                run.rounds.stream().mapToLong(r -> r.arrived).sum(), (long) payments * rates.length);
        check(run, "grant jobs delivered (SQL)", sql("SELECT count(*) FROM router_push_job WHERE router_id IN ("
                + shop.routerList() + ") AND kind = 'grant' AND state = 'delivered'"), total);
        check(run, "jobs that needed more than one attempt (SQL)", sql("SELECT count(*) FROM router_push_job "
                + "WHERE router_id IN (" + shop.routerList() + ") AND attempts > 1"), 0);
        check(run, "grants on_router (SQL)", sql("SELECT count(*) FROM access_grant WHERE owner_id = " + shop.owner()
                + " AND state = 'on_router'"), total);
        return run;
    }

    static PushShop pushShop(String fakeUrl, int routerCount) throws Exception {
        URI fake = URI.create(fakeUrl);
        log(String.format(Locale.ROOT, "push: owner, %d push routers on the fake (%s), one package each",
                routerCount, fakeUrl));
        String user = "pushbench_" + UUID.randomUUID().toString().substring(0, 8);
        String reg = call("POST", "/users/register/", "", "{\"username\":\"" + user + "\",\"email\":\"" + user
                + "@isp.example\",\"password\":\"bench-password-123\"}", 201).text();
        long owner = Long.parseLong(group(reg, "\"user_id\":(\\d+)"));
        String portal = "X-Public-Key: " + group(reg, "\"public_key\":\"([0-9a-f]{32})\"") + "\r\n";
        String login = call("POST", "/users/login/", "", "{\"username\":\"" + user
                + "\",\"password\":\"bench-password-123\"}", 200).text();
        String jwt = "Authorization: Bearer " + group(login, "\"access_token\":\"([^\"]+)\"") + "\r\n";
        call("POST", "/payments/credentials/", jwt, "{\"provider\":\"instasend\",\"api_key\":\"sim-public-key\","
                + "\"private_key\":\"sim-private-key\",\"environment\":\"simulator\"}", 201);
        long[] routers = new long[routerCount];
        long[] plans = new long[routerCount];
        for (int i = 0; i < routerCount; i++) {
            routers[i] = id(call("POST", "/routers/", jwt, "{\"name\":\"push " + i + "\",\"host\":\"" + fake.getHost()
                    + "\",\"port\":" + fake.getPort() + ",\"username\":\"" + user + "-r" + i
                    + "\",\"password\":\"pw\",\"delivery\":\"push\"}", 201).text());
            plans[i] = id(call("POST", "/routers/packages/", jwt, "{\"name\":\"1 Hour\",\"router\":" + routers[i]
                    + ",\"package_type\":\"hourly\",\"duration_hours\":1,\"price\":\"20.00\","
                    + "\"download_speed_mbps\":5,\"upload_speed_mbps\":2}", 201).text());
        }
        String routerList = Arrays.stream(routers).mapToObj(String::valueOf).reduce((a, b) -> a + "," + b).orElse("0");
        log("  waiting for the first sync of every new push router");
        awaitNoQueuedJobs(routerList, 60);
        return new PushShop(owner, portal, jwt, routers, plans, routerList, fakeUrl);
    }

    /** One round: {@code payments} devices 02:xx:00:00:nn:nn (xx = {@code tag}), initiated, then completed at rate. */
    static void round(PushShop shop, Push p, int tag, int payments, double rate, int conns) throws Exception {
        log(String.format(Locale.ROOT, "push: initiating %,d simulator payments through the portal", payments));
        String[] ids = new String[payments];
        String[] macs = new String[payments];
        AtomicInteger next = new AtomicInteger();
        long c0 = System.nanoTime();
        // The first payment alone creates the new public key's bucket rows; concurrent first uses would wait for it.
        parallel(1, conn -> initiate(conn, shop, tag, next.getAndIncrement(), ids, macs));
        parallel(16, conn -> {
            int i;
            while ((i = next.getAndIncrement()) < payments) {
                initiate(conn, shop, tag, i, ids, macs);
            }
        });
        p.createSeconds = (System.nanoTime() - c0) / 1e9;

        log(String.format(Locale.ROOT, "push: completing them at %.0f/s over %d connections", rate, conns));
        long[] callback = new long[payments];
        long[] sent = new long[payments];
        next.set(0);
        Cpu.Snapshot before = Cpu.snapshot();
        long t0 = System.nanoTime() + 200_000_000L;
        parallel(conns, conn -> {
            int i;
            while ((i = next.getAndIncrement()) < payments) {
                long due = t0 + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                if (ids[i] == null) {
                    continue;
                }
                sent[i] = epochMicros();
                long a = System.nanoTime();
                Resp resp = conn.send("POST", "/payments/" + ids[i] + "/simulate-callback/", shop.jwt(),
                        "{\"result_code\":0}");
                callback[i] = System.nanoTime() - a;
                if (resp.status != 200) {
                    System.err.println("simulate-callback: " + resp.status + " " + truncate(resp.text(), 200));
                }
            }
        });
        p.completeSeconds = (System.nanoTime() - t0) / 1e9;

        Map<String, Long> arrivals = new HashMap<>();
        long deadline = System.nanoTime() + 60_000_000_000L;
        Set<String> ours = Set.of(macs);
        while (System.nanoTime() < deadline) {
            arrivals.clear();
            for (String line : get(shop.fakeUrl() + "/__bench/arrivals").split("\n")) {
                String[] f = line.split(" ");
                if (f.length == 2 && ours.contains(f[0])) {
                    arrivals.put(f[0], Long.parseLong(f[1]));
                }
            }
            if (arrivals.size() >= payments) {
                break;
            }
            Thread.sleep(50);
        }
        Cpu.Snapshot after = Cpu.snapshot();
        p.cpu = Cpu.between(before, after);
        p.windowSeconds = (after.nanos() - before.nanos()) / 1e9;
        p.arrived = arrivals.size();

        Map<String, Long> completedAt = new HashMap<>();
        for (String line : psql("SELECT mac_address || ' ' || (extract(epoch FROM completed_at) * 1000000)::bigint "
                + "FROM payment WHERE owner_id = " + shop.owner() + " AND status = 'completed'").split("\n")) {
            String[] f = line.split(" ");
            if (f.length == 2) {
                completedAt.put(f[0], Long.parseLong(f[1]));
            }
        }
        long[] fromCompletion = new long[payments];
        long[] fromSent = new long[payments];
        int n = 0;
        for (int i = 0; i < payments; i++) {
            Long at = arrivals.get(macs[i]);
            Long done = completedAt.get(macs[i]);
            if (at != null && done != null) {
                fromCompletion[n] = at - done;
                fromSent[n] = at - sent[i];
                n++;
            }
        }
        Arrays.sort(fromCompletion, 0, n);
        Arrays.sort(fromSent, 0, n);
        long[] cb = callback.clone();
        Arrays.sort(cb);
        p.p50 = percentile(fromCompletion, n, 0.5) / 1000;
        p.p99 = percentile(fromCompletion, n, 0.99) / 1000;
        p.max = n == 0 ? Double.NaN : fromCompletion[n - 1] / 1000.0;
        p.sentP50 = percentile(fromSent, n, 0.5) / 1000;
        p.sentP99 = percentile(fromSent, n, 0.99) / 1000;
        p.callbackP50 = percentile(cb, payments, 0.5) / 1e6;
        p.callbackP99 = percentile(cb, payments, 0.99) / 1e6;
        log(String.format(Locale.ROOT, "  %d/%d arrived; completed_at → router PUT p50 %.1f ms p99 %.1f ms max %.1f ms; "
                + "cpu %s", p.arrived, payments, p.p50, p.p99, p.max, p.cpu));
    }

    /** Payment {@code i} of a round: its device on push router i mod n, through the portal API. */
    static void initiate(Conn conn, PushShop shop, int tag, int i, String[] ids, String[] macs) throws IOException {
        int r = i % shop.routers().length;
        macs[i] = String.format("02:%02X:00:00:%02X:%02X", tag, i >> 8, i & 0xFF);
        Resp resp = conn.send("POST", "/payments/intasend/initiate/", shop.portal(), "{\"router_id\":"
                + shop.routers()[r] + ",\"package_id\":" + shop.plans()[r] + ",\"phone_number\":\"" + phone()
                + "\",\"amount\":\"20.00\",\"mac_address\":\"" + macs[i] + "\"}");
        if (resp.status == 201) {
            ids[i] = group(resp.text(), "\"payment\":\\{\"id\":\"([^\"]+)\"");
        } else {
            System.err.println("initiate: " + resp.status + " " + truncate(resp.text(), 200));
        }
    }

    static void awaitNoQueuedJobs(String routerList, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline && sql("SELECT count(*) FROM router_push_job WHERE router_id IN ("
                + routerList + ") AND state = 'queued'") > 0) {
            Thread.sleep(200);
        }
    }

    static void check(PushRun p, String what, long actual, long expected) {
        boolean ok = actual == expected;
        p.verified &= ok;
        String line = (ok ? "ok   " : "FAIL ") + what + ": " + actual + (ok ? "" : " (expected " + expected + ")");
        p.checks.add(line);
        log("  " + line);
    }

    static long epochMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    static String phone() {
        return "07" + String.format("%08d", ThreadLocalRandom.current().nextInt(100_000_000));
    }

    static long id(String json) {
        return Long.parseLong(group(json, "\"id\":(\\d+)"));
    }

    // ---------------------------------------------------------------------------------------------- output

    static String table(List<Result> results, String warmupNote, String changedNote, PushRun push) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s Each line: %.0f s warm-up, then %.0f s measured; closed loop, each "
                + "request for one of the %,d routers at random (%d live grants each).%n", warmupNote, warmup,
                duration, routerIds.length, grants));
        b.append("CPU columns: average cores busy during the measured window (2.0 = the whole machine), from /proc: ")
                .append("app JVM / its PostgreSQL / fake router / load generator / everything else. ")
                .append("CPU ms/req: CPU time the app and its PostgreSQL spent per answered request. ")
                .append("commits/req: pg_stat_database.xact_commit per request; DB conns: the app's connections ")
                .append("busy / open, sampled every second. ×: req/s relative to the baseline of the same run.\n\n");
        if (changedNote != null) {
            b.append(changedNote).append("\n\n");
        }
        b.append("| Scenario | conns | req/s | × | p50 ms | p99 ms | unexpected | errors | CPU app/pg/fake/gen/other | "
                + "CPU ms/req app+pg | commits/req | DB conns busy/open | target | met |\n");
        b.append("|---|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|---|---|\n");
        for (Result r : results) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %s | %.1f | %.1f | %d | %d | %s | %s | %s | %s | %s "
                    + "| %s |%n", r.label, r.conns, r.rps, Double.isNaN(r.baseline) ? "—"
                    : String.format(Locale.ROOT, "%.2f", r.rps / r.baseline), r.p50, r.p99, r.unexpected, r.errors,
                    r.cpu, r.count == 0 ? "—" : String.format(Locale.ROOT, "%.3f+%.3f", r.cpuMsPerRequest(r.cpu.app()),
                            r.cpuMsPerRequest(r.cpu.pg())),
                    r.pg == null ? "—" : String.format(Locale.ROOT, "%.2f", r.pg.commitsPerRequest),
                    r.pg == null || Double.isNaN(r.pg.busy) ? "—"
                            : String.format(Locale.ROOT, "%.1f/%.0f", r.pg.busy, r.pg.open),
                    r.target, r.target.equals("—") ? "—" : r.met ? "yes" : "**no**"));
        }
        for (Result r : results) {
            if (r.firstUnexpected != null) {
                b.append(String.format(Locale.ROOT, "%n%s: first unexpected answer `%s`%n", r.label,
                        r.firstUnexpected.replace('\n', ' ')));
            }
        }
        if (push != null) {
            b.append(String.format(Locale.ROOT, "%nCompletion → router: %d push routers (delivery push) on the fake "
                    + "RouterOS; after an unmeasured round of %,d payments, rounds of %,d simulator payments, each "
                    + "initiated through the portal API, then completed by simulate-callback at the given rate over %d "
                    + "connections (open loop). Measured per payment: from its completed_at (the app's clock in the "
                    + "completing transaction) to the arrival at the fake of the PUT /rest/ip/hotspot/user that adds "
                    + "its MAC (same machine, same clock). CPU columns: from the first completion of the round to its "
                    + "last arrival.%n%n", push.routers, push.warmupPayments,
                    push.rounds.isEmpty() ? 0 : push.rounds.get(0).payments, push.conns));
            b.append("| Scenario | payments | rate /s | arrived | p50 ms | p99 ms | max ms | from callback sent p50/p99 ms "
                    + "| callback answer p50/p99 ms | CPU app/pg/fake/gen/other | CPU ms/payment app+pg+fake | target | met |\n");
            b.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|---|---|\n");
            for (Push r : push.rounds) {
                double perPayment = r.windowSeconds * 1000 / Math.max(1, r.payments);
                b.append(String.format(Locale.ROOT, "| Completion → first PUT of the user on the router | %d | %.0f | %d "
                        + "| %.1f | %.1f | %.1f | %.1f / %.1f | %.1f / %.1f | %s | %.1f+%.1f+%.1f | p99 < 1 s | %s |%n",
                        r.payments, r.rate, r.arrived, r.p50, r.p99, r.max, r.sentP50, r.sentP99, r.callbackP50,
                        r.callbackP99, r.cpu, r.cpu.app() * perPayment, r.cpu.pg() * perPayment, r.cpu.fake() * perPayment,
                        r.p99 < 1000 && r.arrived == r.payments ? "yes" : "**no**"));
            }
            b.append("\nChecks:\n\n");
            for (String c : push.checks) {
                b.append("- ").append(c).append('\n');
            }
        }
        return b.toString();
    }





    /** GET of another server (the fake router's counters). */
    static String get(String url) throws IOException {
        URI u = URI.create(url);
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.getOutputStream().write(("GET " + u.getRawPath() + " HTTP/1.1\r\nHost: " + u.getHost()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int bodyAt = all.indexOf("\r\n\r\n");
            return bodyAt < 0 ? "" : all.substring(bodyAt + 4);
        }
    }



    // ---------------------------------------------------------------------------------------------- PostgreSQL




    // ---------------------------------------------------------------------------------------------- CPU


    // ---------------------------------------------------------------------------------------------- HTTP/1.1


}
