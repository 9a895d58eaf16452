package org.hotspotbilling.ops;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
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

    private final AgroalDataSource db;
    private final String pollStatesSql;
    private final MeterRegistry registry;
    private final Map<String, Backlog> open;
    private final Backlog needingOwner;
    private final Backlog reconcileDue;
    private final Map<String, Backlog> pushQueued;
    private final Map<String, Backlog> pollRouters;
    private final Map<String, Backlog> webhookQueued;
    private final Backlog webhookEndpointsDisabled;
    private final AtomicLong refreshFailures = new AtomicLong();

    public OperationsGauges(AgroalDataSource db, Metrics metrics, RouterConfig routers) {
        this.db = db;
        this.registry = metrics.registry();
        // As Router#pollState: one row per router, a few thousand at most.
        this.pollStatesSql = "SELECT CASE WHEN r.last_poll_at IS NULL THEN 'never' WHEN r.last_poll_at < now() - "
                + "make_interval(secs => " + routers.pollInterval().multipliedBy(RouterConfig.OFFLINE_AFTER_INTERVALS)
                .toSeconds() + ") THEN 'offline' ELSE 'online' END, count(*), NULL::timestamptz FROM router r "
                + "JOIN owner_account o ON o.id = r.owner_id WHERE o.is_active AND r.delivery <> 'push' GROUP BY 1";
        open = backlogs("hotspot.payments.open", "status", List.of("pending", "processing"), "Open payments "
                + "(pending: not yet sent to the provider; processing: sent, outcome not yet known)",
                "Age of the oldest open payment");
        needingOwner = backlog("hotspot.payments.needing.owner", Tags.empty(), "Payments the system cannot settle "
                + "without their owner (credential gone, nothing to ask the provider by)",
                "Age of the oldest payment needing its owner");
        reconcileDue = backlog("hotspot.reconcile.due", Tags.empty(), "Payments due a provider check (reconciler "
                + "backlog)", "How long the most overdue provider check has waited");
        pushQueued = backlogs("hotspot.push.jobs.queued", "router", List.of("reachable", "failing"), "Router pushes "
                + "waiting, by their router's state (failing: its last pass failed)",
                "Age of the oldest waiting router push");
        pollRouters = backlogs("hotspot.poll.routers", "state", List.of("online", "offline", "never"), "Poll routers "
                + "of active owners by poll state (offline: silent for " + RouterConfig.OFFLINE_AFTER_INTERVALS
                + " poll intervals; never: has not polled)", null);
        webhookQueued = backlogs("hotspot.webhook.deliveries.queued", "state", List.of("new", "retrying"),
                "Owner webhook deliveries waiting (new: not tried yet; retrying: an attempt failed)",
                "Age of the oldest waiting owner webhook delivery");
        webhookEndpointsDisabled = backlog("hotspot.webhook.endpoints.disabled", Tags.empty(),
                "Owner webhook endpoints disabled after persistent failure", null);
        Gauge.builder("hotspot.metrics.refresh.failures", refreshFailures, AtomicLong::get)
                .description("Gauge refreshes that could not read the database").register(registry);
    }

    /** One labelled set's count as {@code name} and, with an age description, its oldest's age. */
    private Backlog backlog(String name, Tags tags, String description, String ageDescription) {
        Backlog b = new Backlog();
        Gauge.builder(name, b.count, AtomicLong::get).tags(tags).description(description).register(registry);
        if (ageDescription != null) {
            Gauge.builder(name + ".oldest.age", b, Backlog::ageSeconds).tags(tags).baseUnit("seconds")
                    .description(ageDescription).register(registry);
        }
        return b;
    }

    /** {@link #backlog} for each label value of {@code tag}, in a map by label value. */
    private Map<String, Backlog> backlogs(String name, String tag, List<String> labels, String description,
            String ageDescription) {
        Map<String, Backlog> backlogs = new HashMap<>();
        for (String label : labels) {
            backlogs.put(label, backlog(name, Tags.of(tag, label), description, ageDescription));
        }
        return Map.copyOf(backlogs);
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
            grouped(c, pollStatesSql, pollRouters);
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
