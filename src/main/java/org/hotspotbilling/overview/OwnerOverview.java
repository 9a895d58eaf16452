package org.hotspotbilling.overview;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import org.hotspotbilling.overview.OverviewDtos.Access;
import org.hotspotbilling.overview.OverviewDtos.Callbacks;
import org.hotspotbilling.overview.OverviewDtos.CredentialCallbacks;
import org.hotspotbilling.overview.OverviewDtos.Day;
import org.hotspotbilling.overview.OverviewDtos.Failure;
import org.hotspotbilling.overview.OverviewDtos.Overview;
import org.hotspotbilling.overview.OverviewDtos.Payments;
import org.hotspotbilling.overview.OverviewDtos.PollRouters;
import org.hotspotbilling.overview.OverviewDtos.ProviderPayments;
import org.hotspotbilling.overview.OverviewDtos.PushRouters;
import org.hotspotbilling.overview.OverviewDtos.Revenue;
import org.hotspotbilling.overview.OverviewDtos.Routers;
import org.hotspotbilling.overview.OverviewDtos.TimeToComplete;
import org.hotspotbilling.overview.OverviewDtos.Webhooks;
import org.hotspotbilling.payment.PaymentStatus;
import org.hotspotbilling.payment.RecoveryHints;
import org.hotspotbilling.provider.CredentialDtos.WebhookDeliveries;
import org.hotspotbilling.provider.PaymentCredential;
import org.hotspotbilling.router.Router;
import org.hotspotbilling.router.RouterConfig;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One owner's figures for a time range (docs/overview.md). Settled payments, completion times and callbacks come
 * from the daily rollups for the whole days of the range and from the rows for its partial days; open payments,
 * routers, grants and credentials are few and read as they are. Every query starts with the owner, on an index.
 * All of it is read in one snapshot, so the figures agree with each other.
 */
@ApplicationScoped
public class OwnerOverview {

    private static final List<String> SETTLED = List.of("completed", "failed", "cancelled");

    private final EntityManager em;
    private final Duration pollInterval;

    public OwnerOverview(EntityManager em, RouterConfig routers) {
        this.em = em;
        this.pollInterval = routers.pollInterval();
    }

    @Transactional
    public Overview of(long ownerId, OverviewRange range, Instant now) {
        // One snapshot for every query below (the first statement of the transaction).
        em.createNativeQuery("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").executeUpdate();
        Figures figures = new Figures(range);
        settled(ownerId, range, figures);
        open(ownerId, range, figures);
        return new Overview(range.from(), range.to(), figures.revenue(), figures.payments(), figures.successRate(),
                figures.failures(), timeToComplete(ownerId, range), routers(ownerId, now), access(ownerId, now),
                callbacks(ownerId, range), webhooks(ownerId, range));
    }

    /** The owner's webhook endpoints and deliveries (webhook_endpoint_owner_idx, V196's partial indexes). */
    private Webhooks webhooks(long ownerId, OverviewRange range) {
        Object[] endpoints = (Object[]) em.createNativeQuery("SELECT count(*), count(*) FILTER (WHERE "
                + "disabled_reason IS NOT NULL), max(last_success_at) FROM webhook_endpoint WHERE owner_id = ?1")
                .setParameter(1, ownerId).getSingleResult();
        Object[] queued = (Object[]) em.createNativeQuery("SELECT count(*) FILTER (WHERE attempts = 0), "
                + "count(*) FILTER (WHERE attempts > 0) FROM webhook_delivery WHERE owner_id = ?1 AND state = 'queued'")
                .setParameter(1, ownerId).getSingleResult();
        long failed = ((Number) em.createNativeQuery("SELECT count(*) FROM webhook_delivery WHERE owner_id = ?1 "
                + "AND state = 'failed' AND finished_at >= ?2 AND finished_at < ?3").setParameter(1, ownerId)
                .setParameter(2, range.from()).setParameter(3, range.to()).getSingleResult()).longValue();
        return new Webhooks(((Number) endpoints[0]).longValue(), ((Number) endpoints[1]).longValue(),
                ((Number) queued[0]).longValue(), ((Number) queued[1]).longValue(), failed,
                endpoints[2] == null ? null : toInstant(endpoints[2]));
    }

    private static Instant toInstant(Object value) {
        return value instanceof Instant i ? i : value instanceof java.time.OffsetDateTime o ? o.toInstant()
                : ((java.sql.Timestamp) value).toInstant();
    }

    /** Settled payments by day, status, provider, currency and failure code. */
    private void settled(long ownerId, OverviewRange range, Figures figures) {
        String rows = "SELECT (created_at AT TIME ZONE 'UTC')::date AS day, status, payment_provider AS provider, "
                + "currency, CASE WHEN status = 'completed' THEN '' ELSE coalesce(failure_code, '') END "
                + "AS result_code, 1 AS payments, amount FROM payment WHERE owner_id = :owner "
                + "AND status IN ('completed', 'failed', 'cancelled') "
                + "AND created_at >= :from%1$d AND created_at < :to%1$d";
        Query query = em.createNativeQuery("SELECT day::text, status, provider, currency, result_code, sum(payments), "
                + "sum(amount) FROM (SELECT day, status, provider, currency, result_code, payments, amount "
                + "FROM overview_payment_day WHERE owner_id = :owner AND day >= :fullFrom AND day < :fullTo"
                + " UNION ALL " + rows.formatted(0) + " UNION ALL " + rows.formatted(1)
                + ") t GROUP BY day, status, provider, currency, result_code HAVING sum(payments) <> 0");
        for (Object[] row : rows(bind(query, ownerId, range))) {
            figures.settled(LocalDate.parse((String) row[0]), (String) row[1], (String) row[2], (String) row[3],
                    (String) row[4], ((Number) row[5]).longValue(), (BigDecimal) row[6]);
        }
    }

    /** Open payments: few (the reconciler settles them), read from the owner's status index. */
    private void open(long ownerId, OverviewRange range, Figures figures) {
        Query query = em.createNativeQuery("SELECT status, payment_provider, count(*) FROM payment "
                + "WHERE owner_id = :owner AND status IN ('pending', 'processing') AND created_at >= :from "
                + "AND created_at < :to GROUP BY 1, 2")
                .setParameter("owner", ownerId).setParameter("from", range.from()).setParameter("to", range.to());
        for (Object[] row : rows(query)) {
            figures.count((String) row[0], (String) row[1], ((Number) row[2]).longValue());
        }
    }

    private TimeToComplete timeToComplete(long ownerId, OverviewRange range) {
        String rows = "SELECT overview_bucket(extract(epoch FROM completed_at - created_at)) AS bucket, 1 AS payments "
                + "FROM payment WHERE owner_id = :owner AND status = 'completed' AND completed_at IS NOT NULL "
                + "AND created_at >= :from%1$d AND created_at < :to%1$d";
        Query query = em.createNativeQuery("SELECT bucket, overview_bucket_width(bucket), sum(payments) FROM ("
                + "SELECT bucket, payments FROM overview_completion_day WHERE owner_id = :owner AND day >= :fullFrom "
                + "AND day < :fullTo UNION ALL " + rows.formatted(0) + " UNION ALL " + rows.formatted(1)
                + ") t GROUP BY 1 HAVING sum(payments) > 0 ORDER BY 1");
        List<long[]> buckets = new ArrayList<>();
        long total = 0;
        for (Object[] row : rows(bind(query, ownerId, range))) {
            long[] bucket = { ((Number) row[0]).longValue(), ((Number) row[1]).longValue(),
                    ((Number) row[2]).longValue() };
            buckets.add(bucket);
            total += bucket[2];
        }
        return new TimeToComplete(total, percentile(buckets, total, 0.50), percentile(buckets, total, 0.95));
    }

    /**
     * The p-quantile (nearest rank) of a histogram of {lower bound, width, count} buckets, placed inside its bucket
     * as if the bucket's payments were spread evenly over it; the open last bucket answers its lower bound.
     */
    static BigDecimal percentile(List<long[]> buckets, long total, double p) {
        if (total == 0) {
            return null;
        }
        long rank = Math.max(1, (long) Math.ceil(p * total));
        long before = 0;
        for (long[] b : buckets) {
            if (before + b[2] >= rank) {
                double at = b[0] + b[1] * (rank - before - 0.5) / b[2];
                return BigDecimal.valueOf(at).setScale(1, RoundingMode.HALF_UP);
            }
            before += b[2];
        }
        throw new IllegalStateException("rank " + rank + " beyond " + total);
    }

    private Routers routers(long ownerId, Instant now) {
        long online = 0;
        long offline = 0;
        long never = 0;
        long push = 0;
        List<Router> routers = Router.listOwned(ownerId);
        for (Router router : routers) {
            String state = router.pollState(pollInterval, now);
            if ("online".equals(state)) {
                online++;
            } else if ("offline".equals(state)) {
                offline++;
            } else if ("never".equals(state)) {
                never++;
            }
            push += router.pushes() ? 1 : 0;
        }
        long failing = ((Number) em.createNativeQuery("SELECT count(*) FROM router r JOIN router_push_state s "
                + "ON s.router_id = r.id WHERE r.owner_id = :owner AND r.delivery <> 'poll' AND s.failures > 0")
                .setParameter("owner", ownerId).getSingleResult()).longValue();
        return new Routers(routers.size(), new PollRouters(online, offline, never), new PushRouters(push, failing));
    }

    private Access access(long ownerId, Instant now) {
        Query query = em.createNativeQuery("SELECT state, count(*) FROM access_grant WHERE owner_id = :owner "
                + "AND state IN ('pending', 'on_router') AND expires_at > :now GROUP BY 1")
                .setParameter("owner", ownerId).setParameter("now", now);
        long pending = 0;
        long onRouter = 0;
        for (Object[] row : rows(query)) {
            long n = ((Number) row[1]).longValue();
            if ("pending".equals(row[0])) {
                pending = n;
            } else {
                onRouter = n;
            }
        }
        return new Access(pending + onRouter, pending, onRouter);
    }

    private Callbacks callbacks(long ownerId, OverviewRange range) {
        String rows = "SELECT provider, 1 AS callbacks FROM payment_event WHERE owner_id = :owner "
                + "AND type = 'webhook_received' AND created_at >= :from%1$d AND created_at < :to%1$d";
        Query query = em.createNativeQuery("SELECT provider, sum(callbacks) FROM (SELECT provider, callbacks "
                + "FROM overview_callback_day WHERE owner_id = :owner AND day >= :fullFrom AND day < :fullTo"
                + " UNION ALL " + rows.formatted(0) + " UNION ALL " + rows.formatted(1)
                + ") t GROUP BY 1 HAVING sum(callbacks) > 0 ORDER BY 1");
        Map<String, Long> byProvider = new LinkedHashMap<>();
        long received = 0;
        for (Object[] row : rows(bind(query, ownerId, range))) {
            long n = ((Number) row[1]).longValue();
            byProvider.put((String) row[0], n);
            received += n;
        }
        List<CredentialCallbacks> credentials = PaymentCredential.<PaymentCredential>list("ownerId = ?1 order by id",
                ownerId).stream().map(c -> new CredentialCallbacks(c.id, c.provider.name(), c.active,
                        new WebhookDeliveries(c.webhookLastAt, c.webhookLastOutcome, c.webhookAccepted,
                                c.webhookIgnored, c.webhookRejected))).toList();
        return new Callbacks(received, byProvider, credentials);
    }

    /** The owner, the whole days and the (at most two) partial days of the range, empty ones as empty spans. */
    private static Query bind(Query query, long ownerId, OverviewRange range) {
        query.setParameter("owner", ownerId).setParameter("fullFrom", range.fullDaysFrom())
                .setParameter("fullTo", range.fullDaysTo());
        for (int i = 0; i < 2; i++) {
            OverviewRange.Span span = i < range.edges().size() ? range.edges().get(i)
                    : new OverviewRange.Span(range.from(), range.from());
            query.setParameter("from" + i, span.from()).setParameter("to" + i, span.to());
        }
        return query;
    }

    @SuppressWarnings("unchecked")
    private static List<Object[]> rows(Query query) {
        return query.getResultList();
    }

    /** The settled and open payments of the range, summed as the answer shows them. */
    private static final class Figures {

        private final Map<LocalDate, long[]> completedByDay = new TreeMap<>();
        private final Map<LocalDate, Map<String, BigDecimal>> revenueByDay = new TreeMap<>();
        private final Map<String, BigDecimal> revenue = new TreeMap<>();
        private final Map<String, Long> byStatus = statusCounts();
        private final Map<String, Long> providerTotals = new TreeMap<>();
        private final Map<String, Map<String, Long>> providerStatus = new TreeMap<>();
        private final Map<String, Map<String, BigDecimal>> providerRevenue = new TreeMap<>();
        private final Map<String, Map<String, Long>> failuresByCode = new TreeMap<>();

        Figures(OverviewRange range) {
            for (LocalDate day : range.days()) {
                completedByDay.put(day, new long[1]);
                revenueByDay.put(day, new TreeMap<>());
            }
        }

        void settled(LocalDate day, String status, String provider, String currency, String code, long payments,
                BigDecimal amount) {
            count(status, provider, payments);
            if (PaymentStatus.completed.name().equals(status)) {
                completedByDay.computeIfAbsent(day, d -> new long[1])[0] += payments;
                revenueByDay.computeIfAbsent(day, d -> new TreeMap<>()).merge(currency, amount, BigDecimal::add);
                revenue.merge(currency, amount, BigDecimal::add);
                providerRevenue.computeIfAbsent(provider, p -> new TreeMap<>()).merge(currency, amount,
                        BigDecimal::add);
            } else {
                failuresByCode.computeIfAbsent(code, c -> new TreeMap<>()).merge(provider, payments, Long::sum);
            }
        }

        /** Any payments of the range, settled or open. */
        void count(String status, String provider, long payments) {
            byStatus.merge(status, payments, Long::sum);
            providerTotals.merge(provider, payments, Long::sum);
            providerStatus.computeIfAbsent(provider, p -> statusCounts()).merge(status, payments, Long::sum);
        }

        Revenue revenue() {
            List<Day> days = new ArrayList<>();
            completedByDay.forEach((day, n) -> days.add(new Day(day, n[0], money(revenueByDay.get(day)))));
            return new Revenue(money(revenue), days);
        }

        Payments payments() {
            Map<String, ProviderPayments> providers = new TreeMap<>();
            providerTotals.forEach((provider, total) -> providers.put(provider, new ProviderPayments(total,
                    providerStatus.get(provider), money(providerRevenue.getOrDefault(provider, Map.of())))));
            return new Payments(byStatus.values().stream().mapToLong(Long::longValue).sum(), byStatus, providers);
        }

        /** completed / (completed + failed + cancelled); null when none of them. */
        BigDecimal successRate() {
            long settled = SETTLED.stream().mapToLong(byStatus::get).sum();
            return settled == 0 ? null : BigDecimal.valueOf(byStatus.get("completed"))
                    .divide(BigDecimal.valueOf(settled), 4, RoundingMode.HALF_UP);
        }

        /** Most frequent first; a payment failed without a code counts under null. */
        List<Failure> failures() {
            List<Failure> failures = new ArrayList<>();
            failuresByCode.forEach((code, byProvider) -> {
                String resultCode = code.isEmpty() ? null : code;
                failures.add(new Failure(resultCode, byProvider.values().stream().mapToLong(Long::longValue).sum(),
                        byProvider, RecoveryHints.forCode(resultCode)));
            });
            failures.sort(Comparator.comparingLong(Failure::payments).reversed());
            return failures;
        }

        private static Map<String, Long> statusCounts() {
            Map<String, Long> counts = new LinkedHashMap<>();
            for (PaymentStatus status : PaymentStatus.values()) {
                counts.put(status.name(), 0L);
            }
            return counts;
        }

        private static Map<String, String> money(Map<String, BigDecimal> amounts) {
            Map<String, String> shown = new TreeMap<>();
            amounts.forEach((currency, amount) -> shown.put(currency,
                    amount.setScale(2, RoundingMode.UNNECESSARY).toPlainString()));
            return shown;
        }
    }
}
