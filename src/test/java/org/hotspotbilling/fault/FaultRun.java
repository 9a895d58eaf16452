package org.hotspotbilling.fault;

import com.fasterxml.jackson.databind.JsonNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.hotspotbilling.boot.EmbeddedDevEnvironment;
import org.hotspotbilling.boot.KeyMaterial;
import org.hotspotbilling.fault.FaultPlan.Purchase;
import org.hotspotbilling.payment.PaymentConfig;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The fault-injection run (README "Fault-injection run"): two instances of the packaged app on one PostgreSQL,
 * IntaSend faked with faults ({@link FaultyIntaSend}), two push routers (fake RouterOS) and two poll routers
 * ({@link PollHotspot}, confirming what they applied), customers on captive pages ({@link Customer}), one instance killed with SIGKILL
 * mid-run and started again, all drawn from one seed ({@link FaultPlan}). After the last purchase it waits until
 * the promise holds or the settle window (long enough for give-up, the late re-check and the reconciler's lease
 * of a killed instance) is over, and answers the table ({@link FaultTable}) and a report of every payment behind
 * a broken line. {@link FaultRunIT} runs a small one; {@code bench/fault-run.sh} a large one through {@link #main}.
 */
public final class FaultRun {

    /** How the run is sized and timed; the app's timers are compressed from hours to seconds. */
    record Settings(long seed, int purchases, double perSecond, Path work) {

        static final Duration GIVE_UP_AFTER = Duration.ofSeconds(25);
        static final Duration LATE_CHECK_AFTER = Duration.ofSeconds(10);
        static final Duration INTASEND_READ_TIMEOUT = Duration.ofSeconds(2);
        /** Above IntaSend's connect + read timeout, as docs/payments-rules.md "Idempotency" asks. */
        static final Duration IDEMPOTENCY_LOCK_TIMEOUT = Duration.ofSeconds(10);
        static final Duration ROUTER_READ_TIMEOUT = Duration.ofSeconds(2);
        /**
         * The reconciler's claim on a payment, compressed like the other timers and still well above IntaSend's
         * connect + read timeout (docs/payments.md "Reconciler"): a killed instance's claims wait this long.
         */
        static final Duration RECONCILER_LEASE = Duration.ofSeconds(10);
        static final long POLL_ROUTER_EVERY_MILLIS = 1_000;

        /**
         * From system properties: {@code fault.run.seed} (default: a fresh one, printed), {@code
         * fault.run.purchases}, {@code fault.run.per-second}, {@code fault.run.work} (the database, the instances'
         * logs, {@code purchases.log}: an empty or new directory; default {@code defaultWork}, emptied first).
         */
        static Settings fromSystemProperties(int purchases, double perSecond, Path defaultWork) throws IOException {
            String seed = System.getProperty("fault.run.seed");
            String given = System.getProperty("fault.run.work");
            // Absolute: the instances run in it, and their key files are named relative to nothing else.
            Path work = (given == null ? defaultWork : Path.of(given)).toAbsolutePath();
            if (given == null && Files.exists(work)) {
                try (var old = Files.walk(work)) {
                    old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            if (Files.isDirectory(work)) {
                try (var content = Files.list(work)) {
                    if (content.findAny().isPresent()) {
                        throw new IllegalArgumentException("fault.run.work must be empty or new: " + work);
                    }
                }
            }
            return new Settings(seed == null || seed.isBlank() ? System.nanoTime() ^ UUID.randomUUID().getLeastSignificantBits()
                    : Long.parseLong(seed.trim()), Integer.getInteger("fault.run.purchases", purchases),
                    Double.parseDouble(System.getProperty("fault.run.per-second", String.valueOf(perSecond))),
                    Files.createDirectories(work));
        }
    }

    /** How a run ended: its table, what broke, the report behind it, and what the run itself failed to do. */
    record Result(FaultTable table, String markdown, String report, List<String> runErrors) {
    }

    private static final int PUSH_ROUTERS = 2;
    private static final int POLL_ROUTERS = 2;

    private final Settings settings;
    private final FaultPlan plan;
    private final List<String> timeline = new ArrayList<>();
    /** Planned steps that failed (a restart that never became ready): the run did not test what it says. */
    private final List<String> runErrors = new CopyOnWriteArrayList<>();
    private long startMillis;

    FaultRun(Settings settings) {
        this.settings = settings;
        this.plan = FaultPlan.draw(settings.seed(), settings.purchases(), settings.perSecond(),
                PUSH_ROUTERS + POLL_ROUTERS, Settings.GIVE_UP_AFTER);
    }

    /** {@code bench/fault-run.sh}: a run sized by system properties; writes the table to the file given. */
    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromSystemProperties(1000, 5, Path.of("target", "fault-run", "bench"));
        Result result = new FaultRun(settings).run();
        System.out.println(result.markdown());
        if (args.length > 0) {
            Files.writeString(Path.of(args[0]), result.markdown());
        }
        Files.writeString(settings.work().resolve("report.md"), result.report());
        System.out.println("report: " + settings.work().resolve("report.md"));
        result.runErrors().forEach(e -> System.out.println("the run itself failed: " + e));
        System.exit(result.table().violations().isEmpty() && result.runErrors().isEmpty() ? 0 : 1);
    }

    Result run() throws Exception {
        System.out.println("fault run: " + plan.describe() + "; work dir " + settings.work()
                + " (replay: -Dfault.run.seed=" + settings.seed() + ")");
        KeyMaterial.ensureIn(settings.work());
        List<Hotspot> hotspots = new ArrayList<>();
        List<AppInstance> instances = new ArrayList<>();
        // One blocking call per thread: enough threads that slow answers never hold back another customer.
        ScheduledExecutorService customers = Executors.newScheduledThreadPool(128);
        // Threads enough that a restart (seconds) does not hold back an outage due meanwhile.
        ScheduledExecutorService director = Executors.newScheduledThreadPool(4);
        try (EmbeddedPostgres postgres = EmbeddedDevEnvironment.startPostgres(settings.work().resolve("postgres"),
                freePort()); FaultyIntaSend intasend = new FaultyIntaSend(plan, Settings.INTASEND_READ_TIMEOUT)) {
            // Stopped with the run (Ctrl-C of the bench script): the instances are processes of their own.
            Thread orphans = new Thread(() -> instances.forEach(i -> i.process().ifPresent(Process::destroyForcibly)));
            Runtime.getRuntime().addShutdownHook(orphans);
            try {
                return run(postgres, intasend, instances, hotspots, customers, director);
            } finally {
                Runtime.getRuntime().removeShutdownHook(orphans);
                // Before the database closes (try-with-resources closes it first): the instances would log its loss.
                director.shutdownNow();
                customers.shutdownNow();
                for (AppInstance instance : instances) {
                    instance.kill();
                }
                hotspots.forEach(Hotspot::close);
            }
        }
    }

    private Result run(EmbeddedPostgres postgres, FaultyIntaSend intasend, List<AppInstance> instances,
            List<Hotspot> hotspots, ScheduledExecutorService customers, ScheduledExecutorService director)
            throws Exception {
        Map<String, String> env = appEnvironment(postgres, intasend);
        instances.add(new AppInstance("A", freePort(), settings.work(), env));
        instances.add(new AppInstance("B", freePort(), settings.work(), env));
        startAll(instances);
        Balancer balancer = new Balancer(instances);
        ShopSetup shop = ShopSetup.open(balancer, hotspots, PUSH_ROUTERS, POLL_ROUTERS, Settings.ROUTER_READ_TIMEOUT,
                settings.seed(), Settings.POLL_ROUTER_EVERY_MILLIS);

        startMillis = System.currentTimeMillis();
        intasend.start(startMillis, i -> instances.get(i).baseUrl() + shop.webhookPath(), shop.challenge());
        List<Customer> people = new ArrayList<>();
        for (Purchase purchase : plan.purchases) {
            Customer customer = new Customer(purchase, shop.routerIds().get(purchase.router()),
                    shop.packageIds().get(purchase.router()), shop.publicKey(), balancer, customers, startMillis);
            people.add(customer);
            customer.start();
        }
        direct(director, instances, hotspots);

        Instant settledBy = Instant.ofEpochMilli(startMillis + Math.max(
                plan.lastPlannedMillis() + Settings.GIVE_UP_AFTER.toMillis() + Settings.LATE_CHECK_AFTER.toMillis(),
                plan.restartAtMillis + Settings.RECONCILER_LEASE.toMillis() + Settings.GIVE_UP_AFTER.toMillis())
                + 15_000);
        FaultTable table = settle(postgres, intasend, hotspots, people, settledBy);
        long settledAfter = System.currentTimeMillis() - startMillis;
        String markdown = markdown(table, intasend, people, instances, settledAfter, durability(postgres));
        writeEveryPurchase(intasend, people, hotspots);
        return new Result(table, markdown, markdown + "\n" + report(table, intasend, people, balancer, shop),
                List.copyOf(runErrors));
    }

    private Map<String, String> appEnvironment(EmbeddedPostgres postgres, FaultyIntaSend intasend) {
        Path work = settings.work();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.getJdbcUrl("postgres", EmbeddedDevEnvironment.DATABASE));
        env.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        env.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", work.resolve(KeyMaterial.JWT_PUBLIC_KEY).toString());
        env.put("SMALLRYE_JWT_SIGN_KEY_LOCATION", work.resolve(KeyMaterial.JWT_PRIVATE_KEY).toString());
        env.put("HOTSPOT_CRYPTO_KEYSET_FILE", work.resolve(KeyMaterial.TINK_KEYSET).toString());
        env.put("HOTSPOT_ROUTER_ALLOW_LOOPBACK", "true");
        env.put("HOTSPOT_ROUTER_CONNECT_TIMEOUT", "1s");
        env.put("HOTSPOT_ROUTER_READ_TIMEOUT", Settings.ROUTER_READ_TIMEOUT.toSeconds() + "s");
        env.put("HOTSPOT_ACCESS_PUSH_LEASE", "10s");
        env.put("HOTSPOT_ACCESS_PUSH_SWEEP_INTERVAL", "1s");
        env.put("HOTSPOT_ACCESS_PUSH_RETRY_BASE", "500ms");
        env.put("HOTSPOT_ACCESS_PUSH_RETRY_MAX", "3s");
        env.put("HOTSPOT_INTASEND_SANDBOX_URL", intasend.baseUrl());
        env.put("HOTSPOT_INTASEND_CONNECT_TIMEOUT", "1s");
        env.put("HOTSPOT_INTASEND_READ_TIMEOUT", Settings.INTASEND_READ_TIMEOUT.toSeconds() + "s");
        env.put("HOTSPOT_PAYMENTS_IDEMPOTENCY_LOCK_TIMEOUT", Settings.IDEMPOTENCY_LOCK_TIMEOUT.toSeconds() + "s");
        env.put("HOTSPOT_PAYMENTS_RECONCILE_EVERY", "1s");
        env.put("HOTSPOT_PAYMENTS_RECONCILE_LEASE", Settings.RECONCILER_LEASE.toSeconds() + "s");
        env.put("HOTSPOT_PAYMENTS_RECONCILE_FIRST_CHECK_AFTER", "2s");
        env.put("HOTSPOT_PAYMENTS_RECONCILE_BACKOFF", "1s");
        env.put("HOTSPOT_PAYMENTS_RECONCILE_MAX_BACKOFF", "4s");
        env.put("HOTSPOT_PAYMENTS_RECONCILE_GIVE_UP_AFTER", Settings.GIVE_UP_AFTER.toSeconds() + "s");
        env.put("HOTSPOT_PAYMENTS_RECONCILE_LATE_CHECK_AFTER", Settings.LATE_CHECK_AFTER.toSeconds() + "s");
        // Every request comes from 127.0.0.1 and one public key: the limits are not what this run is about.
        env.put("HOTSPOT_RATE_LIMIT_ENABLED", "false");
        return env;
    }

    /**
     * Whether this build's configuration interface (or one nested in it) has the setting: settings that only some
     * builds have are still passed as environment variables, which an app without them ignores, and the results
     * say whether they were in effect.
     */
    static boolean declares(Class<?> mapping, String method) {
        return Arrays.stream(mapping.getMethods()).anyMatch(m -> m.getName().equals(method))
                || Arrays.stream(mapping.getDeclaredClasses()).anyMatch(nested -> declares(nested, method));
    }

    private static void startAll(List<AppInstance> instances) throws Exception {
        ExecutorService starting = Executors.newFixedThreadPool(instances.size());
        try {
            List<Future<?>> started = new ArrayList<>();
            for (AppInstance instance : instances) {
                started.add(starting.submit(() -> {
                    instance.start();
                    return null;
                }));
            }
            for (Future<?> future : started) {
                future.get();
            }
        } finally {
            starting.shutdownNow();
        }
    }

    /** Schedules the planned kill and restart and the routers' outages. */
    private void direct(ScheduledExecutorService director, List<AppInstance> instances, List<Hotspot> hotspots) {
        AppInstance victim = instances.get(plan.killedInstance);
        at(director, plan.killAtMillis, () -> {
            victim.kill();
            mark("instance " + victim.name() + " killed (SIGKILL)");
        });
        at(director, plan.restartAtMillis, () -> {
            mark("instance " + victim.name() + " starting again");
            victim.start();
            mark("instance " + victim.name() + " ready again");
        });
        for (FaultPlan.RouterOutage outage : plan.routerOutages) {
            Hotspot hotspot = hotspots.get(outage.router());
            at(director, outage.window().fromMillis(), () -> {
                hotspot.outage(true, outage.hangs());
                mark("router " + hotspot.routerId() + " (" + hotspot.delivery() + ") down" + (outage.hangs()
                        && hotspot.delivery().equals("push") ? ", hanging" : ""));
            });
            at(director, outage.window().toMillis(), () -> {
                hotspot.outage(false, outage.hangs());
                mark("router " + hotspot.routerId() + " back");
            });
        }
        for (FaultPlan.Window w : plan.statusOutages) {
            at(director, w.fromMillis(), () -> mark("IntaSend status API down"));
            at(director, w.toMillis(), () -> mark("IntaSend status API back"));
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private void at(ScheduledExecutorService director, long millis, Step step) {
        director.schedule(() -> {
            try {
                step.run();
            } catch (Exception e) {
                mark("FAILED: " + e);
                runErrors.add(e.toString());
            }
            return null;
        }, Math.max(0, startMillis + millis - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
    }

    private synchronized void mark(String what) {
        String line = String.format("%8.3f s  %s", (System.currentTimeMillis() - startMillis) / 1000.0, what);
        timeline.add(line);
        System.out.println("fault run: " + line);
    }

    /**
     * Waits for the customers and IntaSend to be done, then until the promise holds (every 2 s) or the settle
     * window is over; answers the table as it then stands.
     */
    private FaultTable settle(EmbeddedPostgres postgres, FaultyIntaSend intasend, List<Hotspot> hotspots,
            List<Customer> people, Instant settledBy) throws Exception {
        long lastReport = 0;
        while (true) {
            boolean busy = !intasend.quiet() || people.stream().anyMatch(c -> !c.done());
            if (!busy || Instant.now().isAfter(settledBy)) {
                FaultTable table = new FaultTable(evidence(postgres, intasend, hotspots, people));
                if (table.violations().isEmpty() || Instant.now().isAfter(settledBy)) {
                    mark("settled" + (table.violations().isEmpty() ? "" : " window over, " + table.violations().size()
                            + " broken line(s)"));
                    return table;
                }
            }
            if (System.currentTimeMillis() - lastReport > 15_000) {
                lastReport = System.currentTimeMillis();
                mark(String.format("%d of %d customers done, IntaSend %s, %d invoices", people.stream()
                        .filter(Customer::done).count(), people.size(), intasend.quiet() ? "quiet" : "busy",
                        intasend.invoiceCount()));
            }
            Thread.sleep(2_000);
        }
    }

    private FaultTable.Evidence evidence(EmbeddedPostgres postgres, FaultyIntaSend intasend, List<Hotspot> hotspots,
            List<Customer> people) throws SQLException {
        Map<String, FaultTable.Payment> payments = new HashMap<>();
        Set<String> twice = new HashSet<>();
        List<FaultTable.Grant> grants = new ArrayList<>();
        try (Connection c = postgres.getDatabase("postgres", EmbeddedDevEnvironment.DATABASE).getConnection();
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(
                    "SELECT id, status, mac_address, router_id, completed_at, attention FROM payment")) {
                while (rs.next()) {
                    Timestamp completed = rs.getTimestamp(5);
                    payments.put(rs.getString(1), new FaultTable.Payment(rs.getString(1), rs.getString(2),
                            upper(rs.getString(3)), rs.getLong(4), completed == null ? null : completed.toInstant(),
                            rs.getString(6)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT payment_id FROM payment_event WHERE type IN ('succeeded', "
                    + "'late_success') GROUP BY payment_id HAVING count(*) > 1")) {
                while (rs.next()) {
                    twice.add(rs.getString(1));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT router_id, mac_address, state, expires_at, last_payment_id "
                    + "FROM access_grant WHERE state IN ('pending', 'on_router') AND expires_at > now()")) {
                while (rs.next()) {
                    grants.add(new FaultTable.Grant(rs.getLong(1), upper(rs.getString(2)), rs.getString(3),
                            rs.getTimestamp(4).toInstant(), rs.getString(5)));
                }
            }
        }
        Map<Long, Set<String>> onRouters = new HashMap<>();
        Map<Long, Map<String, Instant>> firstSeen = new HashMap<>();
        Map<Long, String> deliveries = new HashMap<>();
        for (Hotspot hotspot : hotspots) {
            onRouters.put(hotspot.routerId(), hotspot.macs());
            firstSeen.put(hotspot.routerId(), hotspot.firstSeen());
            deliveries.put(hotspot.routerId(), hotspot.delivery());
        }
        // A final refusal before any push reached IntaSend (a 502 after a connect timeout) is an answer: the page
        // says so and the customer was never prompted. Left without a final answer, or refused while IntaSend
        // prompted the phone, is not.
        Map<Integer, String> pagesWithoutPayment = new HashMap<>();
        people.stream().filter(c -> c.paymentId() == null)
                .filter(c -> c.gaveUpInitiating() || intasend.apiRefOf(c.purchase().index()) != null)
                .forEach(c -> pagesWithoutPayment.put(c.purchase().index(),
                        Objects.requireNonNullElse(intasend.apiRefOf(c.purchase().index()), "")));
        return new FaultTable.Evidence(intasend.paid(), intasend.invoiced(), pagesWithoutPayment, payments, twice, intasend.pushedTwice(), grants, onRouters,
                firstSeen, deliveries, Duration.ofHours(1));
    }

    private static String upper(String mac) {
        return mac == null ? null : mac.toUpperCase(Locale.ROOT);
    }

    /** The database's durability settings, which the results name (zonky's PostgreSQL runs without fsync). */
    private static String durability(EmbeddedPostgres postgres) throws SQLException {
        List<String> settings = new ArrayList<>();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name || '=' || setting FROM pg_settings WHERE name IN "
                        + "('fsync', 'synchronous_commit') ORDER BY name")) {
            while (rs.next()) {
                settings.add(rs.getString(1));
            }
        }
        return String.join(" ", settings);
    }

    private String markdown(FaultTable table, FaultyIntaSend intasend, List<Customer> people,
            List<AppInstance> instances, long settledAfterMillis, String durability) {
        FaultyIntaSend.Counts n = intasend.counts;
        long withoutPayment = people.stream().filter(c -> c.paymentId() == null).count();
        StringBuilder text = new StringBuilder();
        text.append(table.markdown()).append('\n');
        text.append("- seed ").append(settings.seed()).append(" (replay: `-Dfault.run.seed=").append(settings.seed())
                .append("`); ").append(plan.purchases.size()).append(" purchases at ").append(settings.perSecond())
                .append("/s over ").append(plan.lastPurchaseMillis() / 1000).append(" s; settled ")
                .append(settledAfterMillis / 1000).append(" s after the first\n");
        text.append("- two instances (A, B) on one PostgreSQL; ").append(FaultPlan.name(plan.killedInstance))
                .append(" SIGKILLed at ").append(plan.killAtMillis / 1000.0).append(" s and started again at ")
                .append(plan.restartAtMillis / 1000.0).append(" s; ").append(instances.stream()
                        .mapToInt(AppInstance::starts).sum()).append(" starts in all\n");
        text.append("- customers: ").append(people.size() - withoutPayment).append(" got a payment id from "
                + "initiate, ").append(withoutPayment).append(" never did (gave up on errors); they started up to ")
                .append(people.stream().mapToLong(Customer::startedLateMillis).max().orElse(0))
                .append(" ms later than planned\n");
        text.append("- IntaSend: ").append(n.pushes).append(" STK pushes (").append(n.pushFaults)
                .append(" answered late, 5xx or reset), ").append(intasend.invoiceCount()).append(" invoices; ")
                .append(n.statusCalls).append(" status calls (").append(n.statusOutageAnswers)
                .append(" 503 in outages, ").append(n.statusFaults).append(" other faults); ")
                .append(n.webhooksSent).append(" webhook deliveries (").append(n.webhooksLost).append(" lost, ")
                .append(n.webhooksRetried).append(" retried after no 2xx, ").append(n.webhooksAbandoned)
                .append(" abandoned, ").append(n.webhooksSlowerThan1s).append(" answered after more than 1 s); ")
                .append(n.unplannedRequests).append(" requests it did not expect; its schedule ran up to ")
                .append(n.maxLagMillis).append(" ms late (the machine, not the app)\n");
        text.append("- app timers: reconcile every 1 s, first check after 2 s, give up after ")
                .append(Settings.GIVE_UP_AFTER.toSeconds()).append(" s, IntaSend read timeout ")
                .append(Settings.INTASEND_READ_TIMEOUT.toSeconds()).append(" s, Idempotency-Key lock timeout ")
                .append(Settings.IDEMPOTENCY_LOCK_TIMEOUT.toSeconds()).append(" s; late re-check after ")
                .append(Settings.LATE_CHECK_AFTER.toSeconds()).append(" s ")
                .append(declares(PaymentConfig.class, "lateCheckAfter") ? "(in this build)"
                        : "(not in this build: given-up payments are never asked again)")
                .append("; routers: ").append(PUSH_ROUTERS).append(" push (fake RouterOS), ").append(POLL_ROUTERS)
                .append(" poll (every ").append(Settings.POLL_ROUTER_EVERY_MILLIS).append(" ms); PostgreSQL ")
                .append(durability).append('\n');
        return text.toString();
    }

    /** The run's timeline, then every payment behind a broken line with its plan, IntaSend's side and ours. */
    private String report(FaultTable table, FaultyIntaSend intasend, List<Customer> people, Balancer balancer,
            ShopSetup shop) {
        StringBuilder text = new StringBuilder("## Run timeline\n\n```\n");
        timeline.forEach(line -> text.append(line).append('\n'));
        text.append("```\n");
        if (!table.violations().isEmpty()) {
            text.append("\n## Broken\n\n");
            table.violations().forEach(v -> text.append("- ").append(v).append('\n'));
        }
        Map<String, Customer> byPayment = new HashMap<>();
        for (Customer c : people) {
            String id = c.paymentId() != null ? c.paymentId() : intasend.apiRefOf(c.purchase().index());
            if (id != null) {
                byPayment.put(id, c);
            }
        }
        for (String id : table.suspects) {
            text.append("\n### Payment ").append(id).append("\n\n");
            Customer customer = byPayment.get(id);
            text.append("```\n").append(customer == null ? String.join("\n", intasend.historyOf(id)) + "\n"
                    : purchaseLines(customer, intasend)).append("```\n");
            text.append("Timeline (GET /payments/").append(id).append("/events/):\n```\n");
            text.append(events(balancer, shop, id));
            text.append("```\n");
        }
        return text.toString();
    }

    /** Every purchase's plan, IntaSend's side and the page's, to {@code purchases.log} in the work dir. */
    private void writeEveryPurchase(FaultyIntaSend intasend, List<Customer> people, List<Hotspot> hotspots)
            throws IOException {
        StringBuilder text = new StringBuilder();
        for (Customer customer : people) {
            Instant seen = hotspots.get(customer.purchase().router()).firstSeen().get(customer.purchase().mac());
            text.append(purchaseLines(customer, intasend));
            if (seen != null) {
                text.append(String.format("  router   %8.3f s  MAC first on the router%n",
                        (seen.toEpochMilli() - startMillis) / 1000.0));
            }
            text.append('\n');
        }
        Files.writeString(settings.work().resolve("purchases.log"), text);
    }

    private static String purchaseLines(Customer customer, FaultyIntaSend intasend) {
        Purchase p = customer.purchase();
        String paymentId = customer.paymentId() != null ? customer.paymentId() : intasend.apiRefOf(p.index());
        StringBuilder text = new StringBuilder("purchase ").append(p.index()).append(", payment ")
                .append(paymentId).append(": ").append(p.outcome()).append(" after ")
                .append(p.decideAfterMillis()).append(" ms, push ").append(p.pushFault()).append(", webhooks ")
                .append(p.webhooks()).append(", page ").append(p.pageOpen() ? "open" : "closed").append(", router index ")
                .append(p.router()).append(", MAC ").append(p.mac()).append('\n');
        if (paymentId != null) {
            intasend.historyOf(paymentId).forEach(line -> text.append("  IntaSend ").append(line).append('\n'));
        }
        customer.log().forEach(line -> text.append("  page     ").append(line).append('\n'));
        return text.toString();
    }

    private static String events(Balancer balancer, ShopSetup shop, String paymentId) {
        try {
            Balancer.Answer answer = balancer.get(0, "/payments/" + paymentId + "/events/",
                    Map.of("Authorization", "Bearer " + shop.jwt()));
            if (answer.status() != 200) {
                return answer.status() + " " + answer.body() + "\n";
            }
            JsonNode timeline = answer.json();
            StringBuilder text = new StringBuilder("status ").append(timeline.path("status").asText()).append('\n');
            for (JsonNode e : timeline.path("events")) {
                text.append(e.path("created_at").asText()).append("  ").append(e.path("type").asText()).append(" (")
                        .append(e.path("source").asText()).append(")");
                if (!e.path("status_from").isNull()) {
                    text.append(' ').append(e.path("status_from").asText()).append(" → ")
                            .append(e.path("status_to").asText());
                }
                if (!e.path("result_code").isNull()) {
                    text.append(" code ").append(e.path("result_code").asText());
                }
                if (!e.path("result_desc").isNull()) {
                    text.append(": ").append(e.path("result_desc").asText());
                }
                text.append('\n');
            }
            return text.toString();
        } catch (IOException e) {
            return "not readable: " + e + "\n";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
