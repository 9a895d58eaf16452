package bench;

import static bench.BenchKit.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hotspot-billing load generator: sets up two shops through the public API, drives each scenario with N
 * keep-alive HTTP/1.1 connections (one blocking thread each, closed loop: a connection sends its next request
 * when the previous answer arrived), and writes a Markdown table. No dependencies beyond
 * {@link BenchKit} (compiled with it by bench/run.sh).
 *
 * <p>Per scenario it also samples CPU from /proc (in cores, 2 = the whole machine): the app's JVM, its PostgreSQL
 * (postmaster and backends), the WireMock fake, this generator, and everything else on the machine ("other"); counts
 * the app's statements in the measured window (pg_stat_statements, when {@code --statements on}); and reads the
 * app's largest RSS during the line from the samples bench/lib.sh writes every second ({@code --rss-log}).
 *
 * <p>Options (all {@code --name value}): base-url, warmup (s), duration (s), conns, sandbox-conns (comma list),
 * storm (payments), storm-conns, app-warmup (s per path and JIT warm-up round; 0 = none), app-warmup-rounds (8),
 * only (comma list of live,packages,owner,initiate,check,sandbox,storm), owner-routers (5), owner-packages (8 per
 * router), app-pid, wm-pid, pg-data (the embedded cluster's directory), db-port, db-user (the role psql connects
 * as: not the app's, so its statements stay apart), statements (on/off), rss-log, out.
 */
public class LoadGen {

    // ---------------------------------------------------------------------------------------------- options

    static double warmup;
    static double duration;
    static final List<Result> warmupNotes = new ArrayList<>();
    static int warmupRounds;
    static double appWarmupSeconds;
    static double lastCompilerLoad;
    /** Answers received by every line's connections so far: a window's database counters are divided by its growth. */
    static final AtomicLong answered = new AtomicLong();
    static Path rssLog;
    static int ownerRouters;
    static int ownerPackages;

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
        int[] sandboxConns = Arrays.stream(o.getOrDefault("sandbox-conns", "32,128,256").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int stormSize = Integer.parseInt(o.getOrDefault("storm", "1000"));
        int stormConns = Integer.parseInt(o.getOrDefault("storm-conns", "32"));
        appPid = Long.parseLong(o.getOrDefault("app-pid", "0"));
        fakePid = Long.parseLong(o.getOrDefault("wm-pid", "0"));
        pgData = o.containsKey("pg-data") ? Path.of(o.get("pg-data")) : null;
        dbPort = Integer.parseInt(o.getOrDefault("db-port", "0"));
        dbUser = o.getOrDefault("db-user", "postgres");
        Statements.enabled = o.getOrDefault("statements", "off").equals("on") && dbPort != 0;
        if (Statements.enabled && dbUser.equals("postgres")) {
            log("statements per request need --db-user other than the app's role (postgres): not counted");
            Statements.enabled = false;
        }
        rssLog = o.containsKey("rss-log") ? Path.of(o.get("rss-log")) : null;
        ownerRouters = Integer.parseInt(o.getOrDefault("owner-routers", "5"));
        ownerPackages = Integer.parseInt(o.getOrDefault("owner-packages", "8"));
        Path out = Path.of(o.getOrDefault("out", "bench/results/latest.md"));
        Set<String> only = Set.of(o.getOrDefault("only", "live,packages,owner,initiate,check,sandbox,storm")
                .split(","));

        log("setup: two shops through the public API");
        Shop sim = Shop.open("simulator");
        Shop sbx = Shop.open("sandbox");
        log("  simulator shop: owner " + sim.ownerId + ", router " + sim.routerId + ", package " + sim.planId);
        log("  sandbox shop:   owner " + sbx.ownerId + ", router " + sbx.routerId + ", package " + sbx.planId);
        Shop owner = null;
        if (only.contains("owner")) {
            owner = ownerShop(ownerRouters, ownerPackages);
            log("  owner shop:     owner " + owner.ownerId + ", " + ownerRouters + " routers × " + ownerPackages
                    + " packages");
        }

        String portal = "X-Public-Key: " + sim.publicKey + "\r\n";
        String sbxPortal = "X-Public-Key: " + sbx.publicKey + "\r\n";
        String pkgPath = "/routers/" + sim.routerId + "/packages/";
        // One simulator payment, completed through the simulator's callback, is what check-status polls.
        Resp made = call("POST", "/payments/intasend/initiate/", portal, sim.purchase(phone(), mac()), 201);
        String paid = group(made.text(), "\"payment\":\\{\"id\":\"([^\"]+)\"");
        call("POST", "/payments/" + paid + "/simulate-callback/", sim.jwt, "{\"result_code\":0}", 200);
        String checkPath = "/payments/intasend/" + paid + "/check-status/";

        Supplier<Req> liveReq = () -> new Req("GET", "/q/health/live", "", null);
        Supplier<Req> pkgReq = () -> new Req("GET", pkgPath, portal, null);
        Supplier<Req> simReq = () -> new Req("POST", "/payments/intasend/initiate/", portal, sim.purchase(phone(), mac()));
        Supplier<Req> checkReq = () -> new Req("POST", checkPath, portal, "");
        Supplier<Req> sbxReq = () -> new Req("POST", "/payments/intasend/initiate/", sbxPortal,
                sbx.purchase(phone(), mac()));
        String ownerJwt = owner == null ? "" : owner.jwt;
        String ownerPkgPath = owner == null ? "" : "/routers/" + owner.routerId + "/packages/";
        Supplier<Req> ownerPkgReq = () -> new Req("GET", ownerPkgPath, ownerJwt, null);
        Supplier<Req> ownerRoutersReq = () -> new Req("GET", "/routers/", ownerJwt, null);
        Supplier<Req> ownerAllPkgReq = () -> new Req("GET", "/routers/packages/", ownerJwt, null);

        // A freshly started JVM interprets, then compiles the hot paths, and its JIT compiler threads compete with
        // everything else for the same 2 cores. Rounds of unmeasured traffic on every path go on until a round in
        // which the compiler threads used less than 0.1 cores (or the round limit), so each line measures a warm
        // service, as a long-running one would be.
        double appWarmup = Double.parseDouble(o.getOrDefault("app-warmup", "5"));
        appWarmupSeconds = appWarmup;
        int maxRounds = Integer.parseInt(o.getOrDefault("app-warmup-rounds", "8"));
        if (appWarmup > 0) {
            double w = warmup;
            double d = duration;
            warmup = 0;
            duration = appWarmup;
            Pg.quiet = true;
            List<String> names = new ArrayList<>(List.of("packages", "initiate (simulator)", "check-status",
                    "initiate (sandbox)"));
            List<Supplier<Req>> paths = new ArrayList<>(List.of(pkgReq, simReq, checkReq, sbxReq));
            if (owner != null) {
                names.addAll(List.of("packages (owner)", "routers (owner)", "all packages (owner)"));
                paths.addAll(List.of(ownerPkgReq, ownerRoutersReq, ownerAllPkgReq));
            }
            for (int round = 1; round <= maxRounds; round++) {
                long jit0 = Cpu.compilerTicks();
                long t0 = System.nanoTime();
                for (int i = 0; i < paths.size(); i++) {
                    Result w0 = run("JIT warm-up round " + round + ", " + names.get(i), conns, paths.get(i));
                    w0.warmupFailures += w0.non2xx + w0.errors;
                    if (w0.warmupFailures > 0) {
                        warmupNotes.add(w0);
                    }
                }
                double jit = (Cpu.compilerTicks() - jit0) / 100.0 / ((System.nanoTime() - t0) / 1e9);
                log(String.format(Locale.ROOT, "JIT warm-up round %d: compiler threads used %.2f cores", round, jit));
                warmupRounds = round;
                lastCompilerLoad = jit;
                if (jit < 0.10) {
                    break;
                }
            }
            Pg.quiet = false;
            warmup = w;
            duration = d;
        }

        List<Result> results = new ArrayList<>();

        Result live = null;
        if (only.contains("live") || only.contains("packages") || only.contains("owner")) {
            live = run("GET /q/health/live (baseline)", conns, liveReq);
            results.add(live.target("—", true));
        }

        // The owner lines' target is relative to the portal list of the same run, so "owner" runs it too.
        Result packages = null;
        if (only.contains("packages") || only.contains("owner")) {
            packages = run("GET /routers/{id}/packages/ (portal key)", conns, pkgReq);
            results.add(packages.target("≥ 6,000 req/s and ≥ 0.5× baseline",
                    packages.rps >= 6000 && packages.rps >= 0.5 * live.rps));
        }

        if (owner != null) {
            double half = 0.5 * packages.rps;
            String target = String.format(Locale.ROOT, "≥ %,.0f req/s (0.5× portal list), p99 < 20 ms", half);
            String shop = ownerRouters + " routers × " + ownerPackages + " packages";
            for (Result r : List.of(
                    run("GET /routers/{id}/packages/ (owner JWT, " + ownerPackages + " packages)", conns,
                            ownerPkgReq),
                    run("GET /routers/ (owner JWT, " + ownerRouters + " routers)", conns, ownerRoutersReq),
                    run("GET /routers/packages/ (owner JWT, all packages: " + shop + ")", conns,
                            ownerAllPkgReq))) {
                results.add(r.target(target, r.rps >= half && r.p99 < 20));
            }
        }

        if (only.contains("initiate")) {
            Result simInit = run("POST initiate, simulator shop", conns, simReq);
            simInit.listStatements = true;
            results.add(simInit.target("≥ 1,000 req/s, p99 < 50 ms", simInit.rps >= 1000 && simInit.p99 < 50));
        }

        if (only.contains("check")) {
            Result check = run("POST check-status, completed payment", conns, checkReq);
            results.add(check.target("≥ 1,500 req/s", check.rps >= 1500));
        }

        if (only.contains("sandbox")) {
            for (int c : sandboxConns) {
                Result r = run("POST initiate, sandbox shop (IntaSend fake, 150 ms)", c, sbxReq);
                results.add(r.target("≥ 500 req/s", r.rps >= 500));
            }
        }

        List<Storm> storms = new ArrayList<>();
        if (only.contains("storm")) {
            // The warm-up rounds above never settle a payment: one unmeasured storm on a shop of its own first, so
            // the measured storm (on a fresh shop, whose counts the checks compare) runs warm code like every line.
            log("storm: unmeasured warm-up storm on a shop of its own");
            storm(Shop.open("sandbox"), stormSize, Math.max(128, stormConns), stormConns, false);
            Storm storm = storm(Shop.open("sandbox"), stormSize, Math.max(128, stormConns), stormConns, false);
            storm.result.listStatements = true;
            results.add(storm.result.target("≥ 1,000 settlements/s", storm.settlementsPerSecond >= 1000));
            storms.add(storm);
            // The same race without the provider in the loop: what the settlement itself (row lock, grant, events)
            // costs, next to the confirmation each webhook and check-status must ask IntaSend for.
            log("storm: unmeasured warm-up storm, simulator");
            storm(Shop.open("simulator"), stormSize, Math.max(128, stormConns), stormConns, true);
            Storm simulated = storm(Shop.open("simulator"), stormSize, Math.max(128, stormConns), stormConns,
                    true);
            simulated.result.listStatements = true;
            results.add(simulated.result.target("— (shows the bound)", true));
            storms.add(simulated);
        }

        String table = table(results, storms);
        System.out.println();
        System.out.println(table);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table);
        log("table written to " + out);
        if (storms.stream().anyMatch(st -> !st.verified)) {
            System.exit(3);
        }
    }

    // ---------------------------------------------------------------------------------------------- shops

    /**
     * An owner with a realistic shop for the owner lines: {@code routers} routers with {@code packages} packages each,
     * so statements that grow with the rows show in the statements column. Its first router is the one the owner's
     * package list reads.
     */
    static Shop ownerShop(int routers, int packages) throws IOException {
        Shop shop = Shop.open("simulator");
        for (int r = 0; r < routers; r++) {
            long routerId = r == 0 ? shop.routerId : Long.parseLong(group(call("POST", "/routers/", shop.jwt,
                    "{\"name\":\"Shop router " + r + "\",\"host\":\"192.0.2." + (20 + r) + "\",\"port\":8728,"
                            + "\"username\":\"billing\",\"password\":\"pw\"}", 201).text(), "\"id\":(\\d+)"));
            for (int p = r == 0 ? 1 : 0; p < packages; p++) { // the first router has Shop.open's package
                call("POST", "/routers/packages/", shop.jwt, "{\"name\":\"" + (p + 1) + " Hours\",\"router\":"
                        + routerId + ",\"package_type\":\"hourly\",\"duration_hours\":" + (p + 1)
                        + ",\"price\":\"" + (20 * (p + 1)) + ".00\",\"download_speed_mbps\":5,"
                        + "\"upload_speed_mbps\":2,\"description\":\"Bench package " + (p + 1) + "\"}", 201);
            }
        }
        return shop;
    }

    /** A random Safaricom number, so no two requests share a per-phone bucket (10^8 numbers). */
    static String phone() {
        return "07" + String.format("%08d", ThreadLocalRandom.current().nextInt(100_000_000));
    }

    static String mac() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        StringBuilder mac = new StringBuilder("02");
        for (int i = 0; i < 5; i++) {
            mac.append(':').append(String.format("%02X", r.nextInt(256)));
        }
        return mac.toString();
    }

    // ---------------------------------------------------------------------------------------------- timed runs

    record Req(String method, String path, String headers, String body) {
    }

    static final class Result {
        String label;
        int conns;
        long count;
        double seconds;
        double rps;
        double p50;
        double p99;
        long non2xx;
        long errors;
        Cpu cpu;
        String target;
        boolean met;
        String firstNon2xx;
        long warmupFailures;
        Pg pg;
        Statements statements;
        boolean listStatements;
        long maxRssKb;

        Result target(String target, boolean met) {
            this.target = target;
            this.met = met;
            return this;
        }
    }

    /** Runs one scenario: {@code warmup} seconds unmeasured, then {@code duration} seconds measured. */
    static Result run(String label, int conns, Supplier<Req> requests) throws Exception {
        long startedAt = System.currentTimeMillis();
        log(String.format(Locale.ROOT, "run: %s, %d connections, %.0f s warm-up + %.0f s", label, conns, warmup,
                duration));
        long start = System.nanoTime() + 500_000_000L; // time for every connection to open
        long measureFrom = start + (long) (warmup * 1e9);
        long end = measureFrom + (long) (duration * 1e9);
        long[][] latencies = new long[conns][];
        int[] counts = new int[conns];
        AtomicLong non2xx = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong warmupFailures = new AtomicLong();
        AtomicInteger sample = new AtomicInteger();
        String[] firstNon2xx = new String[1];
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
                        Req req = requests.get();
                        int status;
                        try {
                            if (conn == null) {
                                conn = new Conn();
                            }
                            Resp resp = conn.send(req.method, req.path, req.headers, req.body);
                            status = resp.status;
                            if (resp.close) {
                                conn.close();
                                conn = null;
                            }
                            if ((status < 200 || status > 299) && firstNon2xx[0] == null) {
                                firstNon2xx[0] = status + " " + truncate(resp.text(), 200);
                            }
                        } catch (IOException e) {
                            status = -1;
                            if (conn != null) {
                                conn.close();
                                conn = null;
                            }
                        }
                        long t1 = System.nanoTime();
                        answered.incrementAndGet();
                        if (t1 < measureFrom && (status < 200 || status > 299)) {
                            warmupFailures.incrementAndGet();
                        }
                        if (t1 >= measureFrom && t1 <= end) { // completions inside the window
                            if (n == lat.length) {
                                lat = Arrays.copyOf(lat, n * 2);
                            }
                            lat[n++] = t1 - t0;
                            if (status < 0) {
                                errors.incrementAndGet();
                            } else if (status < 200 || status > 299) {
                                non2xx.incrementAndGet();
                            }
                        }
                    }
                } catch (Exception e) {
                    if (sample.getAndIncrement() == 0) {
                        System.err.println("worker failed: " + e);
                    }
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
        // CPU first: read in this process, it times the window exactly. Each psql call takes a while to start on a
        // busy machine (up to seconds), so the database's counters are divided by the answers received between the
        // two calls that read them (each counted when its call returns: psql runs its query at the end).
        Cpu.Snapshot before = Cpu.snapshot();
        Pg.Sampler sampler = Pg.sample(end);
        boolean counting = Statements.reset();
        long statementsFrom = answered.get();
        Pg.Snapshot pgBefore = Pg.snapshot();
        long commitsFrom = answered.get();
        while (System.nanoTime() < end) {
            Thread.sleep(5);
        }
        Cpu.Snapshot after = Cpu.snapshot();
        Statements statements = counting ? Statements.read() : null;
        long statementsTo = answered.get();
        Pg.Snapshot pgAfter = Pg.snapshot();
        long commitsTo = answered.get();
        for (Thread thread : threads) {
            thread.join(60_000);
        }
        Result r = summarise(label, conns, latencies, counts, duration);
        r.non2xx = non2xx.get();
        r.errors = errors.get();
        r.cpu = Cpu.between(before, after);
        r.pg = Pg.between(pgBefore, pgAfter, sampler, commitsTo - commitsFrom);
        r.statements = statements == null ? null : statements.over(statementsTo - statementsFrom);
        r.maxRssKb = maxRssKb(startedAt, System.currentTimeMillis());
        r.firstNon2xx = firstNon2xx[0];
        r.warmupFailures = warmupFailures.get();
        report(r);
        return r;
    }

    /** The app's largest RSS sampled between the two instants (epoch ms), from bench/lib.sh's samples; 0 = none. */
    static long maxRssKb(long from, long to) {
        if (rssLog == null || !Files.exists(rssLog)) {
            return 0;
        }
        try {
            long max = 0;
            for (String line : Files.readAllLines(rssLog)) {
                String[] f = line.trim().split(" ");
                if (f.length == 3 && Long.parseLong(f[0]) >= from && Long.parseLong(f[0]) <= to) {
                    max = Math.max(max, Long.parseLong(f[2]));
                }
            }
            return max;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        r.p50 = k == 0 ? Double.NaN : all[(int) Math.min(k - 1, Math.ceil(k * 0.50) - 1)] / 1e6;
        r.p99 = k == 0 ? Double.NaN : all[(int) Math.min(k - 1, Math.ceil(k * 0.99) - 1)] / 1e6;
        return r;
    }

    static void report(Result r) {
        log(String.format(Locale.ROOT, "  %,.0f req/s  p50 %.1f ms  p99 %.1f ms  non-2xx %d  errors %d  cpu %s  db %s"
                + "  statements/req %s  max RSS %s MB", r.rps, r.p50, r.p99, r.non2xx, r.errors, r.cpu, r.pg,
                r.statements == null ? "—" : String.format(Locale.ROOT, "%.1f", r.statements.perRequest()),
                r.maxRssKb == 0 ? "—" : String.valueOf(r.maxRssKb / 1024)));
        if (r.pg != null && r.pg.waits != null) {
            log("  db connections (avg of samples): " + r.pg.waits);
        }
        if (r.firstNon2xx != null) {
            log("  first failure (warm-up included; " + r.warmupFailures + " in warm-up): " + r.firstNon2xx);
        }
    }

    // ---------------------------------------------------------------------------------------------- the storm

    static final class Storm {
        Result result;
        int payments;
        int created;
        double createSeconds;
        int settled;
        double settleSeconds;
        double settlementsPerSecond;
        long webhooks;
        long checks;
        List<String> checksDone = new ArrayList<>();
        boolean verified = true;
        boolean simulator;
    }

    /**
     * Creates {@code size} sandbox payments, sets the webhook challenge, then settles every one with a webhook and,
     * right beside it in the queue, a check-status of the same payment (so the two race), over {@code conns}
     * connections. A settlement is counted when the first answer that says "completed" for a payment arrives.
     */
    static Storm storm(Shop shop, int size, int createConns, int conns, boolean simulator) throws Exception {
        Storm s = new Storm();
        s.payments = size;
        s.simulator = simulator;
        log("storm: creating " + size + (simulator ? " simulator" : " sandbox") + " payments over " + createConns
                + " connections");
        String portal = "X-Public-Key: " + shop.publicKey + "\r\n";
        String[] ids = new String[size];
        String[] invoices = new String[size];
        AtomicInteger next = new AtomicInteger();
        long c0 = System.nanoTime();
        parallel(createConns, conn -> {
            int i;
            while ((i = next.getAndIncrement()) < size) {
                // One fixed MAC per storm payment: 1,000 distinct devices, so 1,000 grants.
                String mac = String.format("02:5A:00:00:%02X:%02X", i >> 8, i & 0xFF);
                Resp r = conn.send("POST", "/payments/intasend/initiate/", portal, shop.purchase(phone(), mac));
                if (r.status == 201) {
                    ids[i] = group(r.text(), "\"payment\":\\{\"id\":\"([^\"]+)\"");
                    invoices[i] = simulator ? null : group(r.text(), "\"intasend_invoice_id\":\"([^\"]+)\"");
                } else {
                    System.err.println("storm create: " + r.status + " " + truncate(r.text(), 200));
                }
            }
        });
        s.createSeconds = (System.nanoTime() - c0) / 1e9;
        s.created = (int) Arrays.stream(ids).filter(x -> x != null).count();
        log(String.format(Locale.ROOT, "  created %d in %.1f s", s.created, s.createSeconds));

        long startedAt = System.currentTimeMillis() - (long) (s.createSeconds * 1000);
        String challenge = null;
        String webhookPath = null;
        if (!simulator) {
            String secret = call("POST", "/payments/credentials/" + shop.credentialId + "/webhook-secret/", shop.jwt,
                    "{}", 200).text();
            challenge = group(secret, "\"challenge\":\"([^\"]+)\"");
            webhookPath = group(call("GET", "/payments/credentials/" + shop.credentialId + "/", shop.jwt, null, 200)
                    .text(), "\"webhook_url\":\"([^\"]+)\"");
        }

        List<Req> work = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            if (ids[i] != null) {
                order.add(i);
            }
        }
        Collections.shuffle(order);
        for (int i : order) {
            Req hook = simulator
                    ? new Req("POST", "/payments/" + ids[i] + "/simulate-callback/", shop.jwt, "{\"result_code\":0}")
                    : new Req("POST", webhookPath, "", "{\"invoice_id\":\"" + invoices[i]
                            + "\",\"state\":\"COMPLETE\",\"challenge\":\"" + challenge + "\"}");
            Req poll = new Req("POST", "/payments/intasend/" + ids[i] + "/check-status/", portal, "");
            if (ThreadLocalRandom.current().nextBoolean()) {
                work.add(hook);
                work.add(poll);
            } else {
                work.add(poll);
                work.add(hook);
            }
        }
        Map<String, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < size; i++) {
            if (ids[i] != null) {
                indexOf.put(ids[i], i);
            }
        }
        log("storm: settling " + s.created + " payments with " + s.created + (simulator ? " simulate-callbacks + "
                : " webhooks + ") + s.created
                + " check-status calls over " + conns + " connections");
        Set<String> settled = ConcurrentHashMap.newKeySet();
        AtomicLong lastSettledAt = new AtomicLong();
        AtomicLong non2xx = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long[][] latencies = new long[conns][];
        int[] counts = new int[conns];
        AtomicInteger cursor = new AtomicInteger();
        AtomicInteger slot = new AtomicInteger();
        Pattern paymentIdIn = Pattern.compile("\"(?:payment_id|id)\":\"([0-9a-f-]{36})\"");
        boolean counting = Statements.reset();
        Pg.Snapshot pgBefore = Pg.snapshot();
        Pg.Sampler sampler = Pg.sample(System.nanoTime() + 600_000_000_000L);
        Cpu.Snapshot before = Cpu.snapshot();
        long t0 = System.nanoTime();
        parallel(conns, conn -> {
            int me = slot.getAndIncrement();
            long[] lat = new long[1024];
            int n = 0;
            int w;
            while ((w = cursor.getAndIncrement()) < work.size()) {
                Req req = work.get(w);
                long a = System.nanoTime();
                Resp r;
                try {
                    r = conn.send(req.method, req.path, req.headers, req.body);
                } catch (IOException e) {
                    errors.incrementAndGet();
                    conn.reopen();
                    continue;
                }
                long b = System.nanoTime();
                if (n == lat.length) {
                    lat = Arrays.copyOf(lat, n * 2);
                }
                lat[n++] = b - a;
                if (r.status < 200 || r.status > 299) {
                    if (non2xx.getAndIncrement() == 0) {
                        System.err.println("storm: " + r.status + " " + truncate(r.text(), 200));
                    }
                    continue;
                }
                String body = r.text();
                if (body.contains("\"status\":\"completed\"")) {
                    Matcher m = paymentIdIn.matcher(body);
                    if (m.find() && indexOf.containsKey(m.group(1)) && settled.add(m.group(1))) {
                        lastSettledAt.accumulateAndGet(b, Math::max);
                    }
                }
            }
            latencies[me] = lat;
            counts[me] = n;
        });
        long t1 = System.nanoTime();
        Cpu.Snapshot after = Cpu.snapshot();
        sampler.finish();
        // Every request of the storm is answered inside the window: its count is the statements' denominator.
        long requests = Arrays.stream(counts).sum();
        Statements statements = counting ? Statements.read() : null;
        if (statements != null) {
            statements.over(requests);
        }
        Pg.Snapshot pgAfter = Pg.snapshot();
        s.settled = settled.size();
        s.settleSeconds = ((s.settled == s.created ? lastSettledAt.get() : t1) - t0) / 1e9;
        s.settlementsPerSecond = s.settled / s.settleSeconds;
        Result r = summarise("Completion storm: " + s.created + (simulator ? " simulate-callbacks + " : " webhooks + ")
                + s.created + " check-status" + (simulator ? " (simulator: no provider confirmation)" : ""), conns,
                latencies, counts, (t1 - t0) / 1e9);
        r.non2xx = non2xx.get();
        r.errors = errors.get();
        r.cpu = Cpu.between(before, after);
        r.pg = Pg.between(pgBefore, pgAfter, sampler, r.count);
        r.statements = statements;
        r.maxRssKb = maxRssKb(startedAt, System.currentTimeMillis());
        s.result = r;
        report(r);
        log(String.format(Locale.ROOT, "  settled %d/%d in %.2f s: %,.0f settlements/s", s.settled, s.created,
                s.settleSeconds, s.settlementsPerSecond));
        verify(shop, s, ids);
        return s;
    }

    /** Exactly once: 1,000 completed, one succeeded event each, 1,000 grants; through the API and in SQL. */
    static void verify(Shop shop, Storm s, String[] ids) throws Exception {
        String page = call("GET", "/payments/status/completed/?page_size=1", shop.jwt, null, 200).text();
        long completed = Long.parseLong(group(page, "\"count\":(\\d+)"));
        check(s, "API: GET /payments/status/completed/ count", completed, s.payments);
        int sampled = 0;
        int sampleOk = 0;
        for (int i = 0; i < ids.length && sampled < 20; i += Math.max(1, ids.length / 20)) {
            if (ids[i] == null) {
                continue;
            }
            String events = call("GET", "/payments/" + ids[i] + "/events/", shop.jwt, null, 200).text();
            int succeeded = count(events, "\"type\":\"succeeded\"");
            int granted = count(events, "\"type\":\"access_granted\"");
            sampled++;
            if (succeeded == 1 && granted == 1) {
                sampleOk++;
            }
        }
        check(s, "API: sampled timelines with exactly one succeeded and one access_granted event (of " + sampled + ")",
                sampleOk, sampled);
        if (dbPort == 0) {
            return;
        }
        String owner = String.valueOf(shop.ownerId);
        check(s, "SQL: payments completed", sql("SELECT count(*) FROM payment WHERE owner_id = " + owner
                + " AND status = 'completed'"), s.payments);
        check(s, "SQL: succeeded events", sql("SELECT count(*) FROM payment_event e JOIN payment p ON p.id = "
                + "e.payment_id WHERE p.owner_id = " + owner + " AND e.type = 'succeeded'"), s.payments);
        check(s, "SQL: payments whose succeeded events are not exactly one", sql("SELECT count(*) FROM payment p "
                + "WHERE p.owner_id = " + owner + " AND p.status = 'completed' AND (SELECT count(*) FROM payment_event e "
                + "WHERE e.payment_id = p.id AND e.type = 'succeeded') <> 1"), 0);
        check(s, "SQL: access_granted events", sql("SELECT count(*) FROM payment_event e JOIN payment p ON p.id = "
                + "e.payment_id WHERE p.owner_id = " + owner + " AND e.type = 'access_granted'"), s.payments);
        check(s, "SQL: access grants (rows in access_grant)", sql("SELECT count(*) FROM access_grant WHERE owner_id = "
                + owner), s.payments);
    }

    static void check(Storm s, String what, long actual, long expected) {
        boolean ok = actual == expected;
        s.verified &= ok;
        String line = (ok ? "ok   " : "FAIL ") + what + ": " + actual + (ok ? "" : " (expected " + expected + ")");
        s.checksDone.add(line);
        log("  " + line);
    }




    // ---------------------------------------------------------------------------------------------- output

    static String table(List<Result> results, List<Storm> storms) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Before the lines: %d JIT warm-up round(s) of %.0f s on each path (until "
                + "the app's compiler threads used < 0.1 cores in a round; last round: %.2f). Each line: %.0f s "
                + "warm-up, then %.0f s measured; closed loop (each connection sends its next request when the answer "
                + "arrived).%n", warmupRounds, appWarmupSeconds, lastCompilerLoad, warmup, duration));
        b.append("CPU columns: average cores busy during the measured window (2.0 = the whole machine), from /proc: ")
                .append("app JVM / its PostgreSQL / WireMock fake / load generator / everything else.\n\n");
        b.append("DB columns: PostgreSQL commits per request (pg_stat_database.xact_commit; rollbacks, xact_rollback, "
                + "in brackets when there are any), and the app's database "
                + "connections busy (active or idle in transaction) / open, averaged over pg_stat_activity samples "
                + "taken every second.\n\n");
        b.append("CPU ms/req: CPU time the app and its PostgreSQL spent per answered request (less sensitive to the "
                + "other load on the machine than req/s).\n\n");
        b.append("stmts/req: the app's statements per answered request in the measured window, from "
                + "pg_stat_statements (reset when the window opens, read when it closes; top-level statements of the "
                + "app's role, so the generator's own queries never count; BEGIN/COMMIT/ROLLBACK left out: commits/req "
                + "counts the transactions; pg_stat_statements misses most of the COMMITs and ROLLBACKs pgjdbc sends, "
                + "though every BEGIN). Background work (sweeps, gauges) counts too: a few statements a second.\n\n");
        b.append("max RSS MB: the app JVM's largest resident memory (VmRSS, sampled every second) during the line, "
                + "its warm-up included; target ≤ 300 MB through the whole run.\n\n");
        b.append("| Scenario | conns | req/s | p50 ms | p99 ms | non-2xx | errors | CPU app/pg/wm/gen/other | "
                + "CPU ms/req app+pg | commits/req | stmts/req | DB conns busy/open | max RSS MB | target | met |\n");
        b.append("|---|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|---|---|\n");
        for (Result r : results) {
            String rps = String.format(Locale.ROOT, "%,.0f", r.rps);
            for (Storm storm : storms) {
                if (r == storm.result) {
                    rps += String.format(Locale.ROOT, " (**%,.0f settlements/s**)", storm.settlementsPerSecond);
                }
            }
            b.append(String.format(Locale.ROOT, "| %s | %d | %s | %.1f | %.1f | %d | %d | %s | %s | %s | %s | %s | %s "
                    + "| %s | %s |%n",
                    r.label, r.conns, rps, r.p50, r.p99, r.non2xx, r.errors, r.cpu,
                    r.count == 0 ? "—" : String.format(Locale.ROOT, "%.2f+%.2f", r.cpu.app() * 1000 / r.rps,
                            r.cpu.pg() * 1000 / r.rps),
                    r.pg == null ? "—" : r.pg.commits(),
                    r.statements == null ? "—" : String.format(Locale.ROOT, "%.1f", r.statements.perRequest()),
                    r.pg == null ? "—" : String.format(Locale.ROOT, "%.1f/%.0f", r.pg.busy, r.pg.open),
                    r.maxRssKb == 0 ? "—" : String.valueOf(r.maxRssKb / 1024), r.target,
                    r.target.equals("—") ? "—" : r.met ? "yes" : "**no**"));
        }
        List<Result> noted = new ArrayList<>(warmupNotes);
        noted.addAll(results);
        for (Result r : noted) {
            if (r.warmupFailures > 0) {
                b.append(String.format(Locale.ROOT, "%n%s, %d connections: %d failed answers during the warm-up "
                        + "(not in the table); the first: `%s`%n", r.label, r.conns, r.warmupFailures,
                        truncate(r.firstNon2xx, 160)));
            }
        }
        for (Storm storm : storms) {
            b.append(String.format(Locale.ROOT, "%nCompletion storm (%s): after an unmeasured storm of the same size "
                    + "on another shop, %d payments created in %.1f s; %d of them settled in %.2f s by concurrent %s "
                    + "(%,.0f settlements/s); CPU per settlement: app %.1f ms, PostgreSQL %.1f ms, WireMock %.1f ms. "
                    + "Exactly-once checks:%n%n", storm.simulator ? "simulator" : "sandbox", storm.payments,
                    storm.createSeconds, storm.settled, storm.settleSeconds, storm.simulator
                            ? "simulate-callbacks and check-status calls (nothing asks a provider)"
                            : "webhooks and check-status calls (every webhook and check-status of an open payment "
                                    + "asks the IntaSend fake's status API, no delay)",
                    storm.settlementsPerSecond, perSettlement(storm, storm.result.cpu.app()),
                    perSettlement(storm, storm.result.cpu.pg()), perSettlement(storm, storm.result.cpu.fake())));
            for (String c : storm.checksDone) {
                b.append("- ").append(c).append('\n');
            }
        }
        for (Result r : results) {
            if (r.listStatements && r.statements != null) {
                statementList(b, r, storms.stream().filter(st -> st.result == r).findFirst().orElse(null));
            }
        }
        return b.toString();
    }

    /** Below this many calls per request a statement is background work, summed up on one line. */
    static final double LISTED_CALLS_PER_REQUEST = 0.01;

    /** The statements of one line, most called first: calls per request (and settlement), mean time, the text. */
    static void statementList(StringBuilder b, Result r, Storm storm) {
        Statements st = r.statements;
        b.append(String.format(Locale.ROOT, "%nStatements of \"%s\": %,d answered requests in the window, %.1f "
                + "statements per request%s; transactions per request: %.1f BEGIN (pg_stat_statements), %s commits "
                + "(pg_stat_database):%n%n", r.label, st.requests, st.perRequest(), storm == null ? ""
                        : String.format(Locale.ROOT, " (%.1f per settlement)",
                                st.perRequest() * st.requests / Math.max(1, storm.settled)),
                st.beginsPerRequest(), r.pg == null ? "?" : r.pg.commits()));
        b.append(storm == null ? "| calls/req | mean ms | statement |\n|--:|--:|---|\n"
                : "| calls/req | calls/settlement | mean ms | statement |\n|--:|--:|--:|---|\n");
        long restCalls = 0;
        int rest = 0;
        for (Statements.Row row : st.rows) {
            double perRequest = row.calls() / (double) Math.max(1, st.requests);
            if (row.transactionControl()) {
                continue; // in the line above
            }
            if (perRequest < LISTED_CALLS_PER_REQUEST) {
                rest++;
                restCalls += row.calls();
                continue;
            }
            String text = "`" + truncate(row.query(), 160).replace("|", "\\|").replace("`", "'") + "`";
            b.append(storm == null
                    ? String.format(Locale.ROOT, "| %.2f | %.3f | %s |%n", perRequest, row.meanMs(), text)
                    : String.format(Locale.ROOT, "| %.2f | %.2f | %.3f | %s |%n", perRequest,
                            row.calls() / (double) Math.max(1, storm.settled), row.meanMs(), text));
        }
        if (rest > 0) {
            b.append(String.format(Locale.ROOT, "%n%d more statements below %.2f calls per request (background work), "
                    + "%,d calls in all.%n", rest, LISTED_CALLS_PER_REQUEST, restCalls));
        }
    }

    /** CPU milliseconds per settlement, from cores averaged over the storm's requests. */
    static double perSettlement(Storm storm, double cores) {
        return cores * storm.result.seconds * 1000 / Math.max(1, storm.settled);
    }




    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }


    // ---------------------------------------------------------------------------------------------- PostgreSQL



    // ---------------------------------------------------------------------------------------------- CPU


    // ---------------------------------------------------------------------------------------------- HTTP/1.1


}
