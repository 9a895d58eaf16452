package org.hotspotbilling.access.push;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;
import org.hotspotbilling.access.AccessConfig;
import org.hotspotbilling.access.GrantState;
import org.hotspotbilling.router.RouterService;
import org.hotspotbilling.work.BatchedDelete;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The durable outbox of push delivery, in PostgreSQL so that it survives a crash and is shared by every app
 * instance. A job says "this router must be brought in line with its live grants"; it is written in the same
 * transaction as the change that caused it. A worker takes a router by a lease on its {@code router_push_state}
 * row, claimed with {@code FOR UPDATE SKIP LOCKED}, so one router is synced by one worker at a time across all
 * instances, and a crashed worker's router is taken over once its lease has run out.
 */
@ApplicationScoped
public class PushOutbox {

    /** Fired in the transaction that queued a job; the worker of this instance wakes once it has committed. */
    public record Queued(long routerId) {
    }

    /** A live grant as the router must have it. */
    public record Desired(long grantId, String macAddress, String ipAddress, String rateLimit, String state,
            Instant updatedAt) {
    }

    /** What a pass needs, read in one short transaction before any router call. */
    public record Pass(long routerId, long ownerId, String enforcementMode, boolean pushes, long lastJobId,
            boolean checkEverything, boolean driftCheck, List<Desired> desired) {
    }


    private final EntityManager em;
    private final Event<Queued> queued;
    private final Duration deliveredRetention;

    public PushOutbox(EntityManager em, Event<Queued> queued, AccessConfig config) {
        this.em = em;
        this.queued = queued;
        this.deliveredRetention = config.push().deliveredRetention();
    }

    /**
     * Queues a job when the router takes pushes (delivery push or both); a poll-only router gets nothing.
     * Answers whether a job was queued. Runs inside the caller's transaction.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean enqueue(long routerId, String kind, Long grantId, String mac, Instant now) {
        int added = em.createNativeQuery("INSERT INTO router_push_job (router_id, kind, grant_id, mac_address, state, "
                        + "created_at) SELECT r.id, ?2, ?3, ?4, 'queued', ?5 FROM router r "
                        + "WHERE r.id = ?1 AND r.delivery IN ('push', 'both')")
                .setParameter(1, routerId).setParameter(2, kind).setParameter(3, grantId).setParameter(4, mac)
                .setParameter(5, now)
                .executeUpdate();
        if (added == 0) {
            return false;
        }
        // DO NOTHING takes no row lock, so a completion never waits for a worker holding this router's lease.
        em.createNativeQuery("INSERT INTO router_push_state (router_id) VALUES (?1) ON CONFLICT DO NOTHING")
                .setParameter(1, routerId).executeUpdate();
        queued.fire(new Queued(routerId));
        return true;
    }

    /**
     * Leases up to {@code max} routers that have queued jobs and are not waiting out a backoff, for
     * {@code lease}. Answers their ids.
     */
    @SuppressWarnings("unchecked")
    public List<Long> claim(int max, String token, Instant now, Duration lease) {
        if (max <= 0) {
            return List.of();
        }
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "UPDATE router_push_state s SET lease_token = ?1, lease_until = ?2, last_attempt_at = ?3 "
                                + "WHERE s.router_id IN (SELECT c.router_id FROM router_push_state c "
                                + "WHERE (c.lease_until IS NULL OR c.lease_until < ?3) "
                                + "AND (c.retry_at IS NULL OR c.retry_at <= ?3) "
                                + "AND EXISTS (SELECT 1 FROM router_push_job j WHERE j.router_id = c.router_id "
                                + "AND j.state = 'queued') "
                                + "ORDER BY c.last_attempt_at NULLS FIRST LIMIT ?4 FOR UPDATE SKIP LOCKED) "
                                + "RETURNING s.router_id", Long.class)
                .setParameter(1, token).setParameter(2, now.plus(lease)).setParameter(3, now).setParameter(4, max)
                .getResultList());
    }

    /** Extends a lease this worker still holds; false when another worker has taken the router over. */
    public boolean renew(long routerId, String token, Instant until) {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "UPDATE router_push_state SET lease_until = ?1 WHERE router_id = ?2 AND lease_token = ?3")
                .setParameter(1, until).setParameter(2, routerId).setParameter(3, token)
                .executeUpdate() == 1);
    }

    /** The router's settings, its live grants and the newest job this pass will answer for. */
    public Pass begin(long routerId, Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Tuple> router = em.createNativeQuery("SELECT owner_id, enforcement_mode, delivery FROM router "
                            + "WHERE id = ?1", Tuple.class)
                    .setParameter(1, routerId).getResultList();
            Tuple jobs = (Tuple) em.createNativeQuery("SELECT coalesce(max(id), 0) AS last, "
                            + "count(*) FILTER (WHERE kind IN ('drift', 'resync')) AS full_checks, "
                            + "count(*) FILTER (WHERE kind = 'drift') AS drift_checks "
                            + "FROM router_push_job WHERE router_id = ?1 AND state = 'queued'", Tuple.class)
                    .setParameter(1, routerId).getSingleResult();
            long lastJobId = ((Number) jobs.get("last")).longValue();
            if (router.isEmpty()) {
                return new Pass(routerId, 0, "hotspot-user", false, lastJobId, false, false, List.of());
            }
            Tuple r = router.get(0);
            @SuppressWarnings("unchecked")
            List<Tuple> grants = em.createNativeQuery("SELECT id, mac_address, ip_address, rate_limit, state, "
                            + "updated_at FROM access_grant WHERE router_id = ?1 AND state IN ('pending', 'on_router') "
                            + "AND expires_at > ?2 ORDER BY mac_address", Tuple.class)
                    .setParameter(1, routerId).setParameter(2, now)
                    .getResultList();
            List<Desired> desired = grants.stream().map(t -> new Desired(((Number) t.get(0)).longValue(), (String) t.get(1),
                            (String) t.get(2), (String) t.get(3), (String) t.get(4), t.get(5, Instant.class)))
                    .toList();
            return new Pass(routerId, ((Number) r.get(0)).longValue(), (String) r.get(1),
                    !"poll".equals(r.get(2)), lastJobId, ((Number) jobs.get("full_checks")).longValue() > 0,
                    ((Number) jobs.get("drift_checks")).longValue() > 0, desired);
        });
    }

    /**
     * The router now matches the pass: its jobs are delivered, the grants whose entries the router was read back
     * with ({@code applied}, by MAC) are on the router (unless changed since), the backoff is cleared and the lease
     * released. Nothing is recorded if the lease was lost.
     */
    public void succeeded(Pass pass, String token, Instant now, int changes, Set<String> applied) {
        QuarkusTransaction.requiringNew().run(() -> {
            if (!holdsLease(pass.routerId(), token)) {
                return;
            }
            em.createNativeQuery("UPDATE router_push_job SET state = 'delivered', delivered_at = ?1, "
                            + "attempts = attempts + 1 WHERE router_id = ?2 AND state = 'queued' AND id <= ?3")
                    .setParameter(1, now).setParameter(2, pass.routerId()).setParameter(3, pass.lastJobId())
                    .executeUpdate();
            markOnRouter(pass, applied);
            em.createNativeQuery("UPDATE router_push_state SET lease_token = NULL, lease_until = NULL, failures = 0, "
                            + "retry_at = NULL, last_success_at = ?1, last_error = NULL, last_changes = ?2, "
                            + "last_tls_error = NULL, last_tls_error_at = NULL, "
                            + "last_drift_at = CASE WHEN ?3 THEN ?1 ELSE last_drift_at END, "
                            + "last_drift_repairs = CASE WHEN ?3 THEN ?2 ELSE last_drift_repairs END "
                            + "WHERE router_id = ?4")
                    .setParameter(1, now).setParameter(2, changes).setParameter(3, pass.checkEverything())
                    .setParameter(4, pass.routerId())
                    .executeUpdate();
        });
    }

    /**
     * The pass failed: every job it covered records the attempt and why; the router waits until retryAt. Devices
     * the router was read back with all the same ({@code applied}: a pass that failed on other entries) are on it.
     * A refused certificate is also kept as the router's last TLS error.
     */
    public void failed(Pass pass, String token, String error, Instant retryAt, Set<String> applied,
            boolean certificateRefused) {
        QuarkusTransaction.requiringNew().run(() -> {
            if (!holdsLease(pass.routerId(), token)) {
                return;
            }
            markOnRouter(pass, applied);
            em.createNativeQuery("UPDATE router_push_job SET attempts = attempts + 1, last_error = ?1 "
                            + "WHERE router_id = ?2 AND state = 'queued' AND id <= ?3")
                    .setParameter(1, error).setParameter(2, pass.routerId()).setParameter(3, pass.lastJobId())
                    .executeUpdate();
            em.createNativeQuery("UPDATE router_push_state SET lease_token = NULL, lease_until = NULL, "
                            + "failures = failures + 1, retry_at = ?1, last_error = ?2, "
                            + "last_tls_error = CASE WHEN ?4 THEN ?2 ELSE last_tls_error END, "
                            + "last_tls_error_at = CASE WHEN ?4 THEN ?5 ELSE last_tls_error_at END WHERE router_id = ?3")
                    .setParameter(1, retryAt).setParameter(2, error).setParameter(3, pass.routerId())
                    .setParameter(4, certificateRefused).setParameter(5, Instant.now().truncatedTo(ChronoUnit.MICROS))
                    .executeUpdate();
        });
    }

    /** Consecutive failed passes of a router so far (0 when it last answered). */
    public int failures(long routerId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<?> rows = em.createNativeQuery("SELECT failures FROM router_push_state WHERE router_id = ?1")
                    .setParameter(1, routerId).getResultList();
            return rows.isEmpty() ? 0 : ((Number) rows.get(0)).intValue();
        });
    }

    /** A router that stopped taking pushes (or is gone): its queued jobs are closed without a call. */
    public void dropped(Pass pass, String token, Instant now) {
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("UPDATE router_push_job SET state = 'delivered', delivered_at = ?1, "
                            + "last_error = 'router no longer takes pushes' WHERE router_id = ?2 AND state = 'queued' "
                            + "AND id <= ?3")
                    .setParameter(1, now).setParameter(2, pass.routerId()).setParameter(3, pass.lastJobId())
                    .executeUpdate();
            em.createNativeQuery("UPDATE router_push_state SET lease_token = NULL, lease_until = NULL "
                            + "WHERE router_id = ?1 AND lease_token = ?2")
                    .setParameter(1, pass.routerId()).setParameter(2, token).executeUpdate();
        });
    }

    /**
     * Queues a drift check for every push router that answered its last pass and has not been checked for
     * {@code interval}. Answers how many were queued.
     */
    public int enqueueDriftChecks(Instant now, Duration interval) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Long> due = em.createNativeQuery("SELECT s.router_id FROM router_push_state s "
                            + "JOIN router r ON r.id = s.router_id WHERE r.delivery IN ('push', 'both') "
                            + "AND s.failures = 0 AND (s.last_drift_at IS NULL OR s.last_drift_at <= ?1) "
                            + "AND NOT EXISTS (SELECT 1 FROM router_push_job j WHERE j.router_id = s.router_id "
                            + "AND j.state = 'queued') FOR UPDATE OF s SKIP LOCKED", Long.class)
                    .setParameter(1, now.minus(interval)).getResultList();
            for (long routerId : due) {
                enqueue(routerId, "drift", null, null, now);
            }
            return due.size();
        });
    }

    /** The owner changed how the router is reached or enforces access: sync it now, whatever its backoff. */
    void onRouterSettingsChanged(@Observes RouterService.RouterSettingsChanged changed) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (enqueue(changed.routerId(), "resync", null, null, now)) {
            retryNow(changed.routerId());
        }
    }

    /** Lets a router waiting out a backoff be tried at once (its owner fixed it, or asked for a sync). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void retryNow(long routerId) {
        em.createNativeQuery("UPDATE router_push_state SET retry_at = NULL WHERE router_id = ?1")
                .setParameter(1, routerId).executeUpdate();
    }

    /** Deletes delivered jobs past their retention, in batches so no delete holds many rows for long. */
    @Scheduled(every = "1h", delayed = "2m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void pruneDelivered() {
        pruneDelivered(Instant.now().minus(deliveredRetention));
    }

    /** Deletes the jobs delivered before {@code cutoff}; answers how many. */
    public int pruneDelivered(Instant cutoff) {
        return BatchedDelete.before(em, "DELETE FROM router_push_job WHERE id IN (SELECT id FROM router_push_job "
                + "WHERE state = 'delivered' AND delivered_at < ?1 LIMIT ?2)", cutoff);
    }

    private boolean holdsLease(long routerId, String token) {
        return !em.createNativeQuery("SELECT 1 FROM router_push_state WHERE router_id = ?1 AND lease_token = ?2 "
                        + "FOR UPDATE")
                .setParameter(1, routerId).setParameter(2, token).getResultList().isEmpty();
    }

    /**
     * Only grants unchanged since the pass read them: one extended meanwhile still needs its own pass. Only pending
     * grants may become on_router (the table of {@link GrantState}): a pass never revives an ended grant.
     */
    private void markOnRouter(Pass pass, Set<String> applied) {
        List<Desired> delivered = pass.desired().stream()
                .filter(d -> "pending".equals(d.state()) && applied.contains(d.macAddress())).toList();
        for (int from = 0; from < delivered.size(); from += 500) {
            List<Desired> chunk = delivered.subList(from, Math.min(delivered.size(), from + 500));
            StringBuilder sql = new StringBuilder("UPDATE access_grant SET state = 'on_router' WHERE state = 'pending' "
                    + "AND (id, updated_at) IN (");
            List<Object> params = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append("(?").append(2 * i + 1).append(", ?").append(2 * i + 2).append(')');
                params.add(chunk.get(i).grantId());
                params.add(chunk.get(i).updatedAt());
            }
            Query update = em.createNativeQuery(sql.append(')').toString());
            for (int i = 0; i < params.size(); i++) {
                update.setParameter(i + 1, params.get(i));
            }
            update.executeUpdate();
        }
    }
}
