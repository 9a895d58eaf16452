package org.hotspotbilling.access.poll;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.hotspotbilling.ops.Metrics;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records each router's last poll on its row (when; the list version it was answered; whether its script confirms;
 * the version it said it holds, applied, when it confirms), without a write per poll:
 * polls are noted in memory and written every {@code hotspot.access.poll.record-interval} (1 s) in one statement,
 * and once more when the app stops. A router's row is therefore at most that much behind, and a crash loses at
 * most that much of it (it is monitoring, not money). Instances write only what is newer than the row.
 */
@ApplicationScoped
public class LastPollRecorder {

    private static final Logger LOG = Logger.getLogger(LastPollRecorder.class);

    private record Poll(Instant at, String version, boolean confirms, String applied) {
    }

    private final AgroalDataSource db;
    private final Map<Long, Poll> unwritten = new ConcurrentHashMap<>();
    /** Answered polls, for {@code hotspot_router_polls_total}: a striped counter, as cheap as a poll allows. */
    private final LongAdder polls = new LongAdder();

    public LastPollRecorder(AgroalDataSource db, Metrics metrics) {
        this.db = db;
        FunctionCounter.builder("hotspot.router.polls", polls, LongAdder::sum)
                .description("Router polls answered (rate: polls per second)").register(metrics.registry());
    }

    /**
     * The router polled at {@code at} and was answered {@code version}; {@code confirms}: its script confirms what
     * it applies; {@code applied}: the version it holds, applied without failure (null when it did not say).
     */
    public void polled(long routerId, String version, Instant at, boolean confirms, String applied) {
        polls.increment();
        unwritten.put(routerId, new Poll(at, version, confirms, applied));
    }

    @Scheduled(every = "${hotspot.access.poll.record-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void write() {
        if (unwritten.isEmpty()) {
            return;
        }
        List<Long> ids = new ArrayList<>();
        List<Long> micros = new ArrayList<>();
        List<String> versions = new ArrayList<>();
        List<Boolean> confirms = new ArrayList<>();
        List<String> applied = new ArrayList<>();
        for (Long id : List.copyOf(unwritten.keySet())) {
            Poll poll = unwritten.remove(id);
            if (poll != null) {
                ids.add(id);
                micros.add(ChronoUnit.MICROS.between(Instant.EPOCH, poll.at()));
                versions.add(poll.version());
                confirms.add(poll.confirms());
                applied.add(poll.applied());
            }
        }
        // A confirm call may have recorded a newer applied version meanwhile: an older poll never overwrites it.
        try (Connection c = db.getConnection(); PreparedStatement update = c.prepareStatement(
                "UPDATE router r SET last_poll_at = p.at, last_poll_version = p.version, last_poll_confirms = p.confirms, "
                        + "last_applied_at = CASE WHEN p.applied IS NOT NULL AND p.applied IS DISTINCT FROM "
                        + "r.last_applied_version AND (r.last_applied_at IS NULL OR r.last_applied_at < p.at) THEN p.at "
                        + "ELSE r.last_applied_at END, "
                        + "last_applied_version = CASE WHEN p.applied IS NOT NULL AND (r.last_applied_at IS NULL "
                        + "OR r.last_applied_at < p.at) THEN p.applied ELSE r.last_applied_version END "
                        + "FROM (SELECT id, timestamptz 'epoch' + micros * interval '1 microsecond' AS at, version, "
                        + "confirms, applied FROM unnest(?, ?, ?, ?, ?) AS u (id, micros, version, confirms, applied)) p "
                        + "WHERE r.id = p.id AND (r.last_poll_at IS NULL OR r.last_poll_at < p.at)")) {
            update.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            update.setArray(2, c.createArrayOf("bigint", micros.toArray()));
            update.setArray(3, c.createArrayOf("varchar", versions.toArray()));
            update.setArray(4, c.createArrayOf("boolean", confirms.toArray()));
            update.setArray(5, c.createArrayOf("varchar", applied.toArray()));
            update.executeUpdate();
        } catch (SQLException e) {
            // Only monitoring is lost; the routers' next polls are recorded again.
            LOG.warnf(e, "Could not record the last poll of %d router(s)", ids.size());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        write();
    }
}
