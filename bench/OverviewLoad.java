package bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static bench.BenchKit.Conn;
import static bench.BenchKit.Resp;
import static bench.BenchKit.Shop;
import static bench.BenchKit.log;
import static bench.BenchKit.psql;

/**
 * The owner's overview at scale (README "Benchmarks", bench/overview.sh, docs/overview.md): one owner with
 * {@code --payments} payments seeded by {@link HistoryLoad#seed} (the rollup triggers run for every settled row),
 * a provider callback for every other payment and 50,000 grants (5 % live); then, one request at a time, the latency
 * of {@code GET /payments/overview/} for ranges of 1, 30 and 365 days, as dates (whole days: the rollups only) and as
 * instants (two partial days read from the rows as well). Checks that the year's answer equals what the rows say,
 * and appends EXPLAIN ANALYZE of the overview's statements for the year as instants.
 *
 * <p>Options: --base-url, --db-port, --payments (1000000), --samples (300 per line), --warmup (100 per line),
 * --out (the markdown table).
 */
public final class OverviewLoad {

    /** Target of every line: p99 under this many ms (issue 14 point 5). */
    private static final double TARGET_P99_MS = 100;

    private OverviewLoad() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> opt = HistoryLoad.options(argv);
        int payments = Integer.parseInt(opt.getOrDefault("payments", "1000000"));
        int samples = Integer.parseInt(opt.getOrDefault("samples", "300"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "100"));

        Shop shop = Shop.open("simulator");
        long otherRouter = HistoryLoad.secondRouter(shop);
        long t0 = System.nanoTime();
        HistoryLoad.seed(shop, otherRouter, payments);
        double seedSeconds = (System.nanoTime() - t0) / 1e9;
        log(String.format(Locale.ROOT, "seeded %,d payments in %.0f s (rollup triggers included)", payments,
                seedSeconds));
        t0 = System.nanoTime();
        psql("INSERT INTO payment_event (payment_id, type, source, result_code, created_at) SELECT id, "
                + "'webhook_received', 'webhook', 'COMPLETE', created_at + interval '15 seconds' FROM payment "
                + "WHERE owner_id = " + shop.ownerId + " AND status <> 'processing' "
                + "AND get_byte(uuid_send(id), 0) % 2 = 0");
        double callbackSeconds = (System.nanoTime() - t0) / 1e9;
        psql("INSERT INTO access_grant (owner_id, router_id, mac_address, expires_at, rate_limit, state, "
                + "created_at, updated_at) SELECT " + shop.ownerId + ", " + shop.routerId + ", '02:BB:' || "
                + "upper(lpad(to_hex(g / 65536 % 256), 2, '0')) || ':' || upper(lpad(to_hex(g / 256 % 256), 2, '0')) "
                + "|| ':' || upper(lpad(to_hex(g % 256), 2, '0')) || ':01', CASE WHEN g % 20 = 0 THEN now() "
                + "+ interval '1 hour' ELSE now() - interval '1 day' END, '2M/5M', CASE WHEN g % 20 = 0 THEN "
                + "'on_router' ELSE 'expired' END, now(), now() FROM generate_series(1, 50000) g");
        psql("VACUUM ANALYZE payment_event");
        psql("VACUUM ANALYZE access_grant");
        // The seed settles a year in one statement, so each rollup row gets thousands of versions that no later
        // transaction could prune meanwhile; live settlements, one transaction each, leave their pages pruned
        // (HOT updates, fillfactor 50: docs/overview.md "Rollups"). Rewritten as they would stand.
        String bloated = psql("SELECT pg_size_pretty(pg_total_relation_size('overview_payment_day'))");
        psql("VACUUM FULL ANALYZE overview_payment_day");
        psql("VACUUM FULL ANALYZE overview_completion_day");
        psql("VACUUM FULL ANALYZE overview_callback_day");
        log("overview_payment_day: " + bloated + " after the seed, "
                + psql("SELECT pg_size_pretty(pg_total_relation_size('overview_payment_day'))") + " rewritten");
        psql("CHECKPOINT");
        String callbacks = psql("SELECT count(*) FROM payment_event WHERE type = 'webhook_received'");
        log(String.format(Locale.ROOT, "seeded %s callbacks in %.0f s", callbacks, callbackSeconds));

        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate old = today.minusDays(120);
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put("1 day (a date, 120 days back: rollups only)", "?from=" + old + "&to=" + old.plusDays(1));
        lines.put("1 day as instants (noon to noon: two partial days from the rows)",
                "?from=" + old + "T12:00:00Z&to=" + old.plusDays(1) + "T12:00:00Z");
        lines.put("30 days, the default (now − 30 d → now)", "");
        lines.put("30 days as dates", "?from=" + today.minusDays(30) + "&to=" + today);
        lines.put("365 days as dates", "?from=" + today.minusDays(365) + "&to=" + today);
        lines.put("365 days as instants (now − 365 d → now)",
                "?from=" + now.minus(Duration.ofDays(365)) + "&to=" + now);

        String year = get(shop, lines.get("365 days as instants (now − 365 d → now)")).text();
        check(shop, year, now.minus(Duration.ofDays(365)), now);

        // A JIT warm-up round over every line, unmeasured.
        for (int round = 0; round < 3; round++) {
            for (String query : lines.values()) {
                line("warm-up", 1, warmup, shop, query);
            }
        }
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "%,d payments of one owner over a year (seeded in %.0f s with the "
                + "rollup triggers), %s provider callbacks (%.0f s), 50,000 grants (2,500 live); rollup rows: %s "
                + "payment-days, %s completion-days, %s callback-days. One request at a time; target p99 < %.0f ms."
                + "%n%n", payments, seedSeconds, callbacks, callbackSeconds,
                psql("SELECT count(*) FROM overview_payment_day"), psql("SELECT count(*) FROM overview_completion_day"),
                psql("SELECT count(*) FROM overview_callback_day"), TARGET_P99_MS));
        table.append("| Line | p50 ms | p99 ms | max ms | target |\n|---|---|---|---|---|\n");
        for (Map.Entry<String, String> line : lines.entrySet()) {
            table.append(line(line.getKey(), samples, warmup, shop, line.getValue()));
        }
        table.append("\nThe year as instants answered the rows' own figures (completed, failed, revenue, callbacks): "
                + "checked before the run.\n");
        table.append(plans(shop.ownerId, now.minus(Duration.ofDays(365)), now));
        Files.writeString(Path.of(opt.get("out")), table.toString());
        System.out.println(table);
    }

    private static Resp get(Shop shop, String query) throws Exception {
        try (Conn conn = new Conn()) {
            Resp r = conn.send("GET", "/payments/overview/" + query, shop.jwt, null);
            if (r.status != 200) {
                throw new IllegalStateException(query + " answered " + r.status + ": " + r.text());
            }
            return r;
        }
    }

    /** The answer for the year equals what counting the rows says. */
    private static void check(Shop shop, String answer, Instant from, Instant to) throws Exception {
        String where = " FROM payment WHERE owner_id = " + shop.ownerId + " AND created_at >= '" + from
                + "' AND created_at < '" + to + "'";
        String[] expected = {
                "\"completed\":" + psql("SELECT count(*)" + where + " AND status = 'completed'"),
                "\"failed\":" + psql("SELECT count(*)" + where + " AND status = 'failed'"),
                "\"total\":{\"KES\":\"" + psql("SELECT sum(amount)" + where + " AND status = 'completed'") + "\"}",
                "\"received\":" + psql("SELECT count(*) FROM payment_event WHERE owner_id = " + shop.ownerId
                        + " AND type = 'webhook_received' AND created_at >= '" + from + "' AND created_at < '" + to
                        + "'"),
                "\"live_grants\":2500" };
        for (String part : expected) {
            if (!answer.contains(part)) {
                throw new IllegalStateException("the overview does not say " + part + ": "
                        + BenchKit.truncate(answer, 2000));
            }
        }
        log("the year's overview matches the rows");
    }

    static String line(String label, int samples, int warmup, Shop shop, String query) throws Exception {
        return HistoryLoad.line(label, samples, warmup, shop, () -> "/payments/overview/" + query, TARGET_P99_MS);
    }

    /**
     * EXPLAIN ANALYZE of the overview's statements for the year as instants, as the app runs them
     * (overview/OwnerOverview: the same text with the values in place of the parameters).
     */
    private static String plans(long owner, Instant from, Instant to) throws Exception {
        LocalDate fullFrom = LocalDate.ofInstant(from, ZoneOffset.UTC).plusDays(1);
        LocalDate fullTo = LocalDate.ofInstant(to, ZoneOffset.UTC);
        String edges = "created_at >= '%s' AND created_at < '%s'";
        String first = edges.formatted(from, fullFrom + "T00:00:00Z");
        String last = edges.formatted(fullTo + "T00:00:00Z", to);
        String days = "owner_id = " + owner + " AND day >= '" + fullFrom + "' AND day < '" + fullTo + "'";
        String settledRows = "SELECT (created_at AT TIME ZONE 'UTC')::date AS day, status, payment_provider AS "
                + "provider, currency, CASE WHEN status = 'completed' THEN '' ELSE coalesce(failure_code, '') END AS "
                + "result_code, 1 AS payments, amount FROM payment WHERE owner_id = " + owner + " AND status IN "
                + "('completed', 'failed', 'cancelled') AND ";
        String completionRows = "SELECT overview_bucket(extract(epoch FROM completed_at - created_at)) AS bucket, 1 "
                + "AS payments FROM payment WHERE owner_id = " + owner + " AND status = 'completed' AND completed_at "
                + "IS NOT NULL AND ";
        String callbackRows = "SELECT provider, 1 AS callbacks FROM payment_event WHERE owner_id = " + owner
                + " AND type = 'webhook_received' AND ";
        Map<String, String> statements = new LinkedHashMap<>();
        statements.put("settled payments", "SELECT day::text, status, provider, currency, result_code, "
                + "sum(payments), sum(amount) FROM (SELECT day, status, provider, currency, result_code, payments, "
                + "amount FROM overview_payment_day WHERE " + days + " UNION ALL " + settledRows + first
                + " UNION ALL " + settledRows + last + ") t GROUP BY day, status, provider, currency, result_code "
                + "HAVING sum(payments) <> 0");
        statements.put("open payments", "SELECT status, payment_provider, count(*) FROM payment WHERE owner_id = "
                + owner + " AND status IN ('pending', 'processing') AND " + edges.formatted(from, to)
                + " GROUP BY 1, 2");
        statements.put("time to complete", "SELECT bucket, overview_bucket_width(bucket), sum(payments) FROM ("
                + "SELECT bucket, payments FROM overview_completion_day WHERE " + days + " UNION ALL "
                + completionRows + first + " UNION ALL " + completionRows + last
                + ") t GROUP BY 1 HAVING sum(payments) > 0 ORDER BY 1");
        statements.put("callbacks", "SELECT provider, sum(callbacks) FROM (SELECT provider, callbacks FROM "
                + "overview_callback_day WHERE " + days + " UNION ALL " + callbackRows
                + first + " UNION ALL " + callbackRows + last + ") t GROUP BY 1 HAVING sum(callbacks) > 0 "
                + "ORDER BY 1");
        statements.put("live grants", "SELECT state, count(*) FROM access_grant WHERE owner_id = " + owner
                + " AND state IN ('pending', 'on_router') AND expires_at > now() GROUP BY 1");
        StringBuilder out = new StringBuilder("\nQuery plans at this size (EXPLAIN ANALYZE, the year as instants; "
                + "a second run, as the measured requests find the cache):\n");
        for (Map.Entry<String, String> s : statements.entrySet()) {
            psql("EXPLAIN ANALYZE " + s.getValue());
            out.append("\n").append(s.getKey()).append(":\n\n```\n")
                    .append(psql("EXPLAIN (ANALYZE, BUFFERS) " + s.getValue())).append("\n```\n");
        }
        return out.toString();
    }
}
