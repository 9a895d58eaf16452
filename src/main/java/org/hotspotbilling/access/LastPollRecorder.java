package org.hotspotbilling.access;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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

/**
 * Records each router's last poll (when, and the list version it then held) on its row, without a write per poll:
 * polls are noted in memory and written every {@code hotspot.access.poll.record-interval} (1 s) in one statement,
 * and once more when the app stops. A router's row is therefore at most that much behind, and a crash loses at
 * most that much of it (it is monitoring, not money). Instances write only what is newer than the row.
 */
@ApplicationScoped
public class LastPollRecorder {

    private static final Logger LOG = Logger.getLogger(LastPollRecorder.class);

    private record Poll(Instant at, String version) {
    }

    private final AgroalDataSource db;
    private final Map<Long, Poll> unwritten = new ConcurrentHashMap<>();

    public LastPollRecorder(AgroalDataSource db) {
        this.db = db;
    }

    /** The router polled at {@code at} and now holds {@code version}. */
    public void polled(long routerId, String version, Instant at) {
        unwritten.put(routerId, new Poll(at, version));
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
        for (Long id : List.copyOf(unwritten.keySet())) {
            Poll poll = unwritten.remove(id);
            if (poll != null) {
                ids.add(id);
                micros.add(ChronoUnit.MICROS.between(Instant.EPOCH, poll.at()));
                versions.add(poll.version());
            }
        }
        try (Connection c = db.getConnection(); PreparedStatement update = c.prepareStatement(
                "UPDATE router r SET last_poll_at = p.at, last_poll_version = p.version FROM (SELECT id, "
                        + "timestamptz 'epoch' + micros * interval '1 microsecond' AS at, version "
                        + "FROM unnest(?, ?, ?) AS u (id, micros, version)) p "
                        + "WHERE r.id = p.id AND (r.last_poll_at IS NULL OR r.last_poll_at < p.at)")) {
            update.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            update.setArray(2, c.createArrayOf("bigint", micros.toArray()));
            update.setArray(3, c.createArrayOf("varchar", versions.toArray()));
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
