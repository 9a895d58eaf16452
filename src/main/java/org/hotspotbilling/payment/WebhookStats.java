package org.hotspotbilling.payment;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.hotspotbilling.ops.Metrics;
import org.hotspotbilling.provider.ProviderName;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts webhook deliveries per credential by outcome and remembers the last one, so an owner can see whether
 * IntaSend reaches us (a wrong challenge shows as rejections). Counted in memory and added to the credential's
 * row every second and when the app stops: a webhook storm never queues on one row, and a crash loses at most a
 * second of counts (monitoring, not money). The same deliveries are counted for Prometheus by provider and outcome
 * ({@code hotspot_provider_webhooks_total}), with {@code unknown_url} for a callback token we do not know.
 */
@ApplicationScoped
public class WebhookStats {

    static final String ACCEPTED = "accepted";
    static final String IGNORED = "ignored";
    static final String REJECTED = "rejected";
    static final String UNKNOWN_URL = "unknown_url";

    private static final Logger LOG = Logger.getLogger(WebhookStats.class);

    private static final class Counts {
        long accepted;
        long ignored;
        long rejected;
        Instant lastAt;
        String lastOutcome;
    }

    private final AgroalDataSource db;
    private final Map<Long, Counts> unwritten = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    public WebhookStats(AgroalDataSource db, Metrics metrics) {
        this.db = db;
        this.registry = metrics.registry();
    }

    void accepted(ProviderName provider, long credentialId) {
        count(credentialId, ACCEPTED);
        counted(provider, ACCEPTED);
    }

    void ignored(ProviderName provider, long credentialId) {
        count(credentialId, IGNORED);
        counted(provider, IGNORED);
    }

    void rejected(ProviderName provider, long credentialId) {
        count(credentialId, REJECTED);
        counted(provider, REJECTED);
    }

    /** A callback to a URL no credential has (a deleted credential, a mistyped URL, a probe). */
    void unknownUrl(ProviderName provider) {
        counted(provider, UNKNOWN_URL);
    }

    private void counted(ProviderName provider, String outcome) {
        counters.computeIfAbsent(provider.name() + '/' + outcome, key -> Counter
                .builder("hotspot.provider.webhooks")
                .description("Provider callbacks received, by provider and outcome (accepted, ignored: names no "
                        + "payment of ours, rejected: wrong challenge, unknown_url)")
                .tags("provider", provider.name(), "outcome", outcome)
                .register(registry)).increment();
    }

    private void count(long credentialId, String outcome) {
        Instant now = Instant.now();
        unwritten.compute(credentialId, (id, counts) -> {
            Counts c = counts == null ? new Counts() : counts;
            switch (outcome) {
                case ACCEPTED -> c.accepted++;
                case IGNORED -> c.ignored++;
                default -> c.rejected++;
            }
            c.lastAt = now;
            c.lastOutcome = outcome;
            return c;
        });
    }

    @Scheduled(every = "1s", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void write() {
        if (unwritten.isEmpty()) {
            return;
        }
        try (Connection c = db.getConnection(); PreparedStatement update = c.prepareStatement(
                "UPDATE payment_credential SET webhook_accepted = webhook_accepted + ?, webhook_ignored = "
                        + "webhook_ignored + ?, webhook_rejected = webhook_rejected + ?, webhook_last_at = "
                        + "CASE WHEN webhook_last_at IS NULL OR webhook_last_at < ? THEN ? ELSE webhook_last_at END, "
                        + "webhook_last_outcome = CASE WHEN webhook_last_at IS NULL OR webhook_last_at < ? THEN ? "
                        + "ELSE webhook_last_outcome END WHERE id = ?")) {
            for (Long id : List.copyOf(unwritten.keySet())) {
                Counts counts = unwritten.remove(id);
                if (counts == null) {
                    continue;
                }
                OffsetDateTime at = counts.lastAt.atOffset(ZoneOffset.UTC);
                update.setLong(1, counts.accepted);
                update.setLong(2, counts.ignored);
                update.setLong(3, counts.rejected);
                update.setObject(4, at);
                update.setObject(5, at);
                update.setObject(6, at);
                update.setString(7, counts.lastOutcome);
                update.setLong(8, id);
                update.addBatch();
            }
            update.executeBatch();
        } catch (SQLException e) {
            LOG.warnf(e, "Could not record webhook counts");
        }
    }

    void stop(@Observes ShutdownEvent event) {
        write();
    }
}
