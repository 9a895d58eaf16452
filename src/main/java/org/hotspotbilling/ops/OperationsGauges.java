package org.hotspotbilling.ops;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.hotspotbilling.router.RouterConfig;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What only the database knows, read every {@code hotspot.metrics.gauge-refresh} (10 s) in a few indexed
 * statements and held for scrapes: open payments and the age of the oldest, payments that need their owner, the
 * reconciler's backlog, queued router pushes by the router's state, poll routers by poll state, owner webhook
 * deliveries waiting (and failing) and endpoints disabled. Every instance
 * reports the same shared numbers, so dashboards take {@code max} across instances, not {@code sum}
 * (docs/metrics.md). Ages are counted at scrape time from the oldest timestamp read, so they keep growing between
 * refreshes.
 */
@ApplicationScoped
public class OperationsGauges {

    private static final Logger LOG = Logger.getLogger(OperationsGauges.class);

    /** A count and the oldest timestamp (epoch ms, 0: none) of one labelled set. */
    private static final class Backlog {
        final AtomicLong count = new AtomicLong();
        final AtomicLong oldestMillis = new AtomicLong();

        void set(long n, Timestamp oldest) {
            count.set(n);
            oldestMillis.set(oldest == null ? 0 : oldest.getTime());
        }

        double ageSeconds() {
            long oldest = oldestMillis.get();
            return oldest == 0 ? 0 : Math.max(0, System.currentTimeMillis() - oldest) / 1000.0;
        }
    }

    private static final List<String> OPEN_STATUSES = List.of("pending", "processing");
    private static final List<String> PUSH_ROUTER_STATES = List.of("reachable", "failing");
    private static final List<String> POLL_STATES = List.of("online", "offline", "never");
    private static final List<String> WEBHOOK_DELIVERY_STATES = List.of("new", "retrying");

    private final AgroalDataSource db;
    private final long offlineAfterSeconds;
    private final Map<String, Backlog> open = new HashMap<>();
    private final Backlog needingOwner = new Backlog();
    private final Backlog reconcileDue = new Backlog();
    private final Map<String, Backlog> pushQueued = new HashMap<>();
    private final Map<String, AtomicLong> pollRouters = new HashMap<>();
    private final Map<String, Backlog> webhookQueued = new HashMap<>();
    private final Backlog webhookEndpointsDisabled = new Backlog();
    private final AtomicLong refreshFailures = new AtomicLong();

    public OperationsGauges(AgroalDataSource db, Metrics metrics, RouterConfig routers) {
        this.db = db;
        this.offlineAfterSeconds = routers.pollInterval().multipliedBy(RouterConfig.OFFLINE_AFTER_INTERVALS)
                .toSeconds();
        MeterRegistry registry = metrics.registry();
        for (String status : OPEN_STATUSES) {
            Backlog b = new Backlog();
            open.put(status, b);
            Gauge.builder("hotspot.payments.open", b.count, AtomicLong::get).tag("status", status)
                    .description("Open payments (pending: not yet sent to the provider; processing: sent, outcome "
                            + "not yet known)").register(registry);
            Gauge.builder("hotspot.payments.open.oldest.age", b, Backlog::ageSeconds).tag("status", status)
                    .baseUnit("seconds").description("Age of the oldest open payment").register(registry);
        }
        Gauge.builder("hotspot.payments.needing.owner", needingOwner.count, AtomicLong::get)
                .description("Payments the system cannot settle without their owner (credential gone, nothing to "
                        + "ask the provider by)").register(registry);
        Gauge.builder("hotspot.payments.needing.owner.oldest.age", needingOwner, Backlog::ageSeconds)
                .baseUnit("seconds").description("Age of the oldest payment needing its owner").register(registry);
        Gauge.builder("hotspot.reconcile.due", reconcileDue.count, AtomicLong::get)
                .description("Payments due a provider check (reconciler backlog)").register(registry);
        Gauge.builder("hotspot.reconcile.due.oldest.age", reconcileDue, Backlog::ageSeconds).baseUnit("seconds")
                .description("How long the most overdue provider check has waited").register(registry);
        for (String state : PUSH_ROUTER_STATES) {
            Backlog b = new Backlog();
            pushQueued.put(state, b);
            Gauge.builder("hotspot.push.jobs.queued", b.count, AtomicLong::get).tag("router", state)
                    .description("Router pushes waiting, by their router's state (failing: its last pass failed)")
                    .register(registry);
            Gauge.builder("hotspot.push.jobs.queued.oldest.age", b, Backlog::ageSeconds).tag("router", state)
                    .baseUnit("seconds").description("Age of the oldest waiting router push").register(registry);
        }
        for (String state : POLL_STATES) {
            AtomicLong n = new AtomicLong();
            pollRouters.put(state, n);
            Gauge.builder("hotspot.poll.routers", n, AtomicLong::get).tag("state", state)
                    .description("Poll routers of active owners by poll state (offline: silent for "
                            + RouterConfig.OFFLINE_AFTER_INTERVALS + " poll intervals; never: has not polled)")
                    .register(registry);
        }
        for (String state : WEBHOOK_DELIVERY_STATES) {
            Backlog b = new Backlog();
            webhookQueued.put(state, b);
            Gauge.builder("hotspot.webhook.deliveries.queued", b.count, AtomicLong::get).tag("state", state)
                    .description("Owner webhook deliveries waiting (new: not tried yet; retrying: an attempt failed)")
                    .register(registry);
            Gauge.builder("hotspot.webhook.deliveries.queued.oldest.age", b, Backlog::ageSeconds).tag("state", state)
                    .baseUnit("seconds").description("Age of the oldest waiting owner webhook delivery")
                    .register(registry);
        }
        Gauge.builder("hotspot.webhook.endpoints.disabled", webhookEndpointsDisabled.count, AtomicLong::get)
                .description("Owner webhook endpoints disabled after persistent failure").register(registry);
        Gauge.builder("hotspot.metrics.refresh.failures", refreshFailures, AtomicLong::get)
                .description("Gauge refreshes that could not read the database").register(registry);
    }

    @Scheduled(every = "${hotspot.metrics.gauge-refresh:10s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public void refresh() {
        try (Connection c = db.getConnection()) {
            // payment_open_created_idx
            grouped(c, "SELECT status, count(*), min(created_at) FROM payment "
                    + "WHERE status IN ('pending', 'processing') GROUP BY status", open);
            // payment_attention_idx
            single(c, "SELECT count(*), min(created_at) FROM payment WHERE attention IS NOT NULL "
                    + "AND status <> 'completed'", needingOwner);
            // payment_check_due_idx
            single(c, "SELECT count(*), min(next_check_at) FROM payment WHERE next_check_at <= now()", reconcileDue);
            // router_push_job_queued_idx
            grouped(c, "SELECT CASE WHEN coalesce(st.failures, 0) > 0 THEN 'failing' ELSE 'reachable' END, "
                    + "count(*), min(j.created_at) FROM router_push_job j LEFT JOIN router_push_state st "
                    + "ON st.router_id = j.router_id WHERE j.state = 'queued' GROUP BY 1", pushQueued);
            // webhook_delivery_due_idx
            grouped(c, "SELECT CASE WHEN attempts > 0 THEN 'retrying' ELSE 'new' END, count(*), min(created_at) "
                    + "FROM webhook_delivery WHERE state = 'queued' GROUP BY 1", webhookQueued);
            // A few rows per owner at most.
            single(c, "SELECT count(*), min(disabled_at) FROM webhook_endpoint WHERE disabled_reason IS NOT NULL",
                    webhookEndpointsDisabled);
            Map<String, long[]> counts = new HashMap<>();
            // As Router#pollState: one row per router, a few thousand at most.
            try (PreparedStatement s = c.prepareStatement("SELECT CASE WHEN r.last_poll_at IS NULL THEN 'never' "
                    + "WHEN r.last_poll_at < now() - make_interval(secs => ?) THEN 'offline' ELSE 'online' END, "
                    + "count(*) FROM router r JOIN owner_account o ON o.id = r.owner_id "
                    + "WHERE o.is_active AND r.delivery <> 'push' GROUP BY 1")) {
                s.setLong(1, offlineAfterSeconds);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        counts.put(r.getString(1), new long[] {r.getLong(2)});
                    }
                }
            }
            for (String state : POLL_STATES) {
                long[] n = counts.get(state);
                pollRouters.get(state).set(n == null ? 0 : n[0]);
            }
        } catch (SQLException e) {
            // The gauges keep their last values; the failure count shows they are stale.
            refreshFailures.incrementAndGet();
            LOG.warnf(e, "Could not refresh the operations gauges");
        }
    }

    /** Rows of (label, count, oldest) into the labelled backlogs; a label without a row is 0. */
    private static void grouped(Connection c, String sql, Map<String, Backlog> into) throws SQLException {
        Map<String, Backlog> seen = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet r = s.executeQuery()) {
            while (r.next()) {
                Backlog backlog = into.get(r.getString(1));
                if (backlog != null) {
                    backlog.set(r.getLong(2), r.getTimestamp(3));
                    seen.put(r.getString(1), backlog);
                }
            }
        }
        into.forEach((label, backlog) -> {
            if (!seen.containsKey(label)) {
                backlog.set(0, null);
            }
        });
    }

    private static void single(Connection c, String sql, Backlog into) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet r = s.executeQuery()) {
            r.next();
            into.set(r.getLong(1), r.getTimestamp(2));
        }
    }
}
