package org.hotspotbilling.fault;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a fault run ends with: the promise's table (customers who paid, payments completed, completed twice, paid
 * but failed, open after the settle window (but those handed to the owner because IntaSend never made their
 * invoice), paid MACs on the routers against live grants, paid → on router), the
 * payments behind each broken line, and the run's own facts underneath.
 */
final class FaultTable {

    /** A payment as the database holds it at the end; {@code attention}: why the owner must settle it, or null. */
    record Payment(String id, String status, String mac, long routerId, Instant completedAt, String attention) {
    }

    /** A live grant: (router, MAC), its delivery state, and the payment that last extended it. */
    record Grant(long routerId, String mac, String state, Instant expiresAt, String lastPaymentId) {
    }

    /**
     * Everything the table is computed from, gathered once the run has settled: {@code paid} and {@code invoiced}
     * are IntaSend's side (api_ref → when the customer paid; api_refs it made an invoice for); {@code
     * pagesWithoutPayment} the captive pages that never got their payment from initiate although they kept
     * retrying or IntaSend prompted the phone (purchase index → the api_ref its push named at IntaSend, or ""
     * when none reached it); the rest ours.
     */
    record Evidence(Map<String, Instant> paid, Set<String> invoiced, Map<Integer, String> pagesWithoutPayment,
            Map<String, Payment> payments, Set<String> completedTwice,
            List<String> pushedTwice, List<Grant> grants, Map<Long, Set<String>> onRouters,
            Map<Long, Map<String, Instant>> firstSeen, Map<Long, String> deliveries, Duration packageDuration) {
    }

    private final List<String[]> rows = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    /** Payment ids behind the broken lines, for the report. */
    final Set<String> suspects = new TreeSet<>();

    FaultTable(Evidence e) {
        Set<String> paid = e.paid().keySet();
        Set<String> completed = ids(e.payments().values(), "completed");
        Set<String> open = new TreeSet<>(ids(e.payments().values(), "pending"));
        open.addAll(ids(e.payments().values(), "processing"));
        // A push whose answer was lost before IntaSend made the invoice leaves a payment nobody can ask about: the
        // app hands it to the owner (docs/payments.md, "Reconciler"). Right only when there really is no invoice.
        Set<String> handedToOwner = new TreeSet<>();
        for (String id : open) {
            if (e.payments().get(id).attention() != null && !e.invoiced().contains(id)) {
                handedToOwner.add(id);
            }
        }
        open.removeAll(handedToOwner);
        Set<String> paidButFailed = new TreeSet<>();
        Set<String> paidNotCompleted = new TreeSet<>();
        for (String id : paid) {
            Payment p = e.payments().get(id);
            if (p == null || !"completed".equals(p.status())) {
                paidNotCompleted.add(id);
            }
            if (p != null && ("failed".equals(p.status()) || "cancelled".equals(p.status()))) {
                paidButFailed.add(id);
            }
        }
        Set<String> completedUnpaid = new TreeSet<>(completed);
        completedUnpaid.removeAll(paid);
        Set<String> twice = new TreeSet<>(e.completedTwice());
        for (Grant g : e.grants()) {
            Payment p = g.lastPaymentId() == null ? null : e.payments().get(g.lastPaymentId());
            // Every device buys once in this run: a grant longer than one package was applied twice.
            if (p != null && p.completedAt() != null
                    && g.expiresAt().isAfter(p.completedAt().plus(e.packageDuration()).plusSeconds(60))) {
                twice.add(p.id());
            }
        }
        Set<String> grants = new TreeSet<>();
        e.grants().forEach(g -> grants.add(g.routerId() + " " + g.mac()));
        Set<String> onRouters = new TreeSet<>();
        e.onRouters().forEach((router, macs) -> macs.forEach(mac -> onRouters.add(router + " " + mac)));
        Set<String> notOnRouter = new TreeSet<>(grants);
        notOnRouter.removeAll(onRouters);
        Set<String> withoutGrant = new TreeSet<>(onRouters);
        withoutGrant.removeAll(grants);
        // What check-status tells the page ("activating…" until on_router) must catch up with the router.
        Set<String> deliveredButPending = new TreeSet<>();
        e.grants().stream().filter(g -> "pending".equals(g.state()) && onRouters.contains(g.routerId() + " " + g.mac()))
                .forEach(g -> deliveredButPending.add(g.routerId() + " " + g.mac()));
        Set<String> paidMacMissing = new TreeSet<>();
        Map<String, List<Long>> latencies = new TreeMap<>();
        for (Map.Entry<String, Instant> entry : e.paid().entrySet()) {
            Payment p = e.payments().get(entry.getKey());
            if (p == null || p.mac() == null) {
                paidMacMissing.add(entry.getKey());
                continue;
            }
            if (!e.onRouters().getOrDefault(p.routerId(), Set.of()).contains(p.mac())) {
                paidMacMissing.add(p.id());
            }
            Instant seen = e.firstSeen().getOrDefault(p.routerId(), Map.of()).get(p.mac());
            if (seen != null) {
                long millis = Duration.between(entry.getValue(), seen).toMillis();
                latencies.computeIfAbsent("all", k -> new ArrayList<>()).add(millis);
                latencies.computeIfAbsent(e.deliveries().get(p.routerId()), k -> new ArrayList<>()).add(millis);
            }
        }
        latencies.values().forEach(l -> l.sort(null));

        row("customers who paid (IntaSend's invoices COMPLETE)", paid.size(), "");
        check("payments completed", completed.size(), paid.size(), "must equal paid",
                completed.size() == paid.size() && paidNotCompleted.isEmpty() && completedUnpaid.isEmpty());
        suspects.addAll(paidNotCompleted);
        suspects.addAll(completedUnpaid);
        check("completed twice", twice.size(), 0, "0", twice.isEmpty());
        suspects.addAll(twice);
        check("paid but failed", paidButFailed.size(), 0, "0", paidButFailed.isEmpty());
        check("open after the settle window", open.size(), 0, "0", open.isEmpty());
        row("open, handed to the owner (IntaSend never made their invoice)", handedToOwner.size(),
                "requires_recovery: nothing to ask the provider about");
        suspects.addAll(open);
        check("completed without a payment at IntaSend", completedUnpaid.size(), 0, "0", completedUnpaid.isEmpty());
        // A retry with the page's Idempotency-Key answers the payment its first request wrote, at the latest after
        // the key's lock timeout, even when that request died with its instance (docs/payments-rules.md).
        check("pages that never got their payment from initiate", e.pagesWithoutPayment().size(), 0, "0",
                e.pagesWithoutPayment().isEmpty());
        e.pagesWithoutPayment().values().stream().filter(ref -> !ref.isEmpty()).forEach(suspects::add);
        check("payments pushed twice (two STK prompts)", e.pushedTwice().size(), 0, "0", e.pushedTwice().isEmpty());
        suspects.addAll(e.pushedTwice());
        check("paid MACs on the routers", onRouters.size(), grants.size(), "must equal live grants ("
                + grants.size() + ")", notOnRouter.isEmpty() && withoutGrant.isEmpty());
        check("paid customers whose MAC is not on their router", paidMacMissing.size(), 0, "0",
                paidMacMissing.isEmpty());
        suspects.addAll(paidMacMissing);
        check("grants on their router but still 'pending' for the page", deliveredButPending.size(), 0, "0",
                deliveredButPending.isEmpty());
        latency("paid → on router, p50 / p99 / max", latencies.getOrDefault("all", List.of()),
                "from the customer's payment (IntaSend's clock) to the MAC on the router");
        latency("… on push routers", latencies.getOrDefault("push", List.of()), "the router's user list, watched "
                + "every 20 ms");
        latency("… on poll routers", latencies.getOrDefault("poll", List.of()), "the list it polled, every second");
        if (!notOnRouter.isEmpty()) {
            violations.add("live grants not on their router (router id, MAC): " + notOnRouter);
        }
        if (!withoutGrant.isEmpty()) {
            violations.add("MACs on a router without a live grant (router id, MAC): " + withoutGrant);
        }
        if (!deliveredButPending.isEmpty()) {
            violations.add("grants on their router still pending (router id, MAC): " + deliveredButPending);
        }
        if (!e.pagesWithoutPayment().isEmpty()) {
            violations.add("pages that never got their payment (purchase → api_ref at IntaSend): "
                    + new TreeMap<>(e.pagesWithoutPayment()));
        }
        if (!paidNotCompleted.isEmpty()) {
            violations.add("paid at IntaSend but not completed: " + paidNotCompleted);
        }
    }

    private static Set<String> ids(Collection<Payment> payments, String status) {
        Set<String> ids = new TreeSet<>();
        payments.stream().filter(p -> status.equals(p.status())).forEach(p -> ids.add(p.id()));
        return ids;
    }

    private static long percentile(List<Long> sorted, double q) {
        return sorted.get(Math.max(0, (int) Math.ceil(q * sorted.size()) - 1));
    }

    private void latency(String line, List<Long> sorted, String what) {
        rows.add(new String[] {line, sorted.isEmpty() ? "–" : String.format("%,d / %,d / %,d ms",
                percentile(sorted, 0.50), percentile(sorted, 0.99), sorted.get(sorted.size() - 1)),
                what + " (" + sorted.size() + " devices)"});
    }

    private void row(String line, long value, String rule) {
        rows.add(new String[] {line, String.valueOf(value), rule});
    }

    private void check(String line, long value, long expected, String rule, boolean holds) {
        rows.add(new String[] {line, value + (holds ? "" : " ✗"), rule});
        if (!holds) {
            violations.add(line + ": " + value + ", expected " + (rule.startsWith("must") ? rule : expected));
        }
    }

    /** What the promise says is broken; empty when the run kept it. */
    List<String> violations() {
        return List.copyOf(violations);
    }

    /** The table in Markdown. */
    String markdown() {
        StringBuilder text = new StringBuilder("| Line | Value | Must be |\n|---|---|---|\n");
        for (String[] row : rows) {
            text.append("| ").append(row[0]).append(" | ").append(row[1]).append(" | ").append(row[2]).append(" |\n");
        }
        return text.toString();
    }
}
