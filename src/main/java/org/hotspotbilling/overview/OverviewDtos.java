package org.hotspotbilling.overview;

import org.hotspotbilling.provider.CredentialDtos.WebhookDeliveries;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code GET /payments/overview/} (docs/overview.md "Answer"). Amounts are strings with 2 decimals, in
 * maps keyed by currency; counts are numbers. One object per area, so later areas (the owner's own webhook
 * deliveries, {@code webhooks}) are added beside them without changing any.
 */
public final class OverviewDtos {

    private OverviewDtos() {
    }

    public record Overview(Instant from, Instant to, Revenue revenue, Payments payments, BigDecimal successRate,
            List<Failure> failures, TimeToComplete timeToComplete, Routers routers, Access access,
            Callbacks callbacks, Webhooks webhooks) {
    }

    /** Completed payments' amounts: in all, and for every UTC day the range touches (zeros included). */
    public record Revenue(Map<String, String> total, List<Day> byDay) {
    }

    public record Day(LocalDate day, long payments, Map<String, String> amount) {
    }

    /** Payments created in the range: by status (every status, zeros included) and by provider. */
    public record Payments(long total, Map<String, Long> byStatus, Map<String, ProviderPayments> byProvider) {
    }

    public record ProviderPayments(long total, Map<String, Long> byStatus, Map<String, String> completedAmount) {
    }

    /** Failed (and cancelled) payments with one provider result code (null: none given), and what to do. */
    public record Failure(String resultCode, long payments, Map<String, Long> byProvider, String recoveryHint) {
    }

    /** Seconds from created to completed; null when nothing completed. Within the histogram's bucket width. */
    public record TimeToComplete(long payments, BigDecimal medianSeconds, BigDecimal p95Seconds) {
    }

    /** Routers now: poll routers by poll state, push routers whose delivery is failing. */
    public record Routers(long total, PollRouters poll, PushRouters push) {
    }

    public record PollRouters(long online, long offline, long never) {
    }

    public record PushRouters(long total, long failing) {
    }

    /** Grants that let a device through now (pending or on the router, not expired). */
    public record Access(long liveGrants, long pending, long onRouter) {
    }

    /** Provider callbacks about payments received in the range, and each credential's delivery counters. */
    public record Callbacks(long received, Map<String, Long> byProvider, List<CredentialCallbacks> credentials) {
    }

    /**
     * The owner's own webhook endpoints (docs/webhooks.md), now: how many, how many we disabled after persistent
     * failure, the deliveries waiting (not tried yet, or retrying after a failed attempt), the last success; and
     * the deliveries that failed for good in the range.
     */
    public record Webhooks(long endpoints, long endpointsDisabled, long deliveriesQueued, long deliveriesRetrying,
            long deliveriesFailed, Instant lastSuccessAt) {
    }

    /** A credential's webhook counters since it was created (not limited to the range). */
    public record CredentialCallbacks(long id, String provider, boolean isActive, WebhookDeliveries webhookDeliveries) {
    }
}
