package org.hotspotbilling.access;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;
import org.hotspotbilling.router.Router;
import org.hotspotbilling.router.RouterConfig;
import org.hotspotbilling.router.RouterService;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What an owner sees of a router's poll side (docs/poll-protocol.md "What owners see"): whether it polls, what
 * its script confirmed, how far it is behind the current list, and what its script last reported.
 */
@ApplicationScoped
public class RouterPollStatus {

    private final EntityManager em;
    private final RouterService routers;
    private final RouterPoll poll;
    private final Duration interval;

    public RouterPollStatus(EntityManager em, RouterService routers, RouterPoll poll, RouterConfig config) {
        this.em = em;
        this.routers = routers;
        this.poll = poll;
        this.interval = config.pollInterval();
    }

    /**
     * {@code script}: confirming (its last poll said confirms=yes: a grant is on the router once it confirms it),
     * legacy (an older script: a fetched grant counts as on the router), null (never polled). {@code in_sync}: the
     * router holds the current list (confirmed, or for a legacy script fetched). {@code pending_grants}: paid
     * devices not yet on the router, the oldest waiting since {@code oldest_pending_since} ({@code lag_seconds}).
     */
    public record PollStatus(long routerId, String delivery, String state, long intervalSeconds, Instant lastPollAt,
            String script, String currentVersion, String lastFetchedVersion, String lastAppliedVersion,
            Instant lastAppliedAt, boolean inSync, long pendingGrants, Instant oldestPendingSince, long lagSeconds,
            Instant lastReportAt, Integer lastReportFailed, String lastReportError) {
    }

    @Transactional
    public PollStatus of(long ownerId, long routerId) {
        Router router = routers.get(ownerId, routerId);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Tuple row = (Tuple) em.createNativeQuery("SELECT last_poll_confirms, last_poll_version, last_applied_version, "
                        + "last_applied_at, last_report_at, last_report_failed, last_report_error, "
                        + "(SELECT count(*) FROM access_grant g WHERE g.router_id = r.id AND g.state = 'pending' "
                        + "AND g.expires_at > ?2), "
                        + "(SELECT min(g.updated_at) FROM access_grant g WHERE g.router_id = r.id "
                        + "AND g.state = 'pending' AND g.expires_at > ?2) FROM router r WHERE r.id = ?1", Tuple.class)
                .setParameter(1, routerId).setParameter(2, now).getSingleResult();
        Boolean confirms = (Boolean) row.get(0);
        String fetched = (String) row.get(1);
        String applied = (String) row.get(2);
        String current = poll.current(routerId, now).version();
        long pending = ((Number) row.get(7)).longValue();
        Instant oldestPending = row.get(8, Instant.class);
        String script = confirms == null ? null : confirms ? "confirming" : "legacy";
        boolean inSync = current.equals(Boolean.TRUE.equals(confirms) ? applied : fetched);
        Number failed = (Number) row.get(5);
        return new PollStatus(routerId, router.delivery, router.pollState(interval, now), interval.toSeconds(),
                router.lastPollAt, script, current, fetched, applied, row.get(3, Instant.class), inSync, pending,
                oldestPending, oldestPending == null ? 0 : Duration.between(oldestPending, now).toSeconds(),
                row.get(4, Instant.class), failed == null ? null : failed.intValue(), (String) row.get(6));
    }
}
