package org.hotspotbilling.access;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;
import org.hotspotbilling.router.HostPolicy;
import org.hotspotbilling.router.Router;
import org.hotspotbilling.router.RouterService;
import org.hotspotbilling.web.Conflict;
import org.hotspotbilling.web.Invalid;
import org.hotspotbilling.web.MacAddress;
import org.hotspotbilling.web.NotFound;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The owner's side of access grants: listing what a router lets in, and taking it back early. */
@ApplicationScoped
public class AccessService {

    private static final int MAX_PAGE_SIZE = 100;

    private final EntityManager em;
    private final RouterService routers;
    private final PushOutbox outbox;
    private final Event<PollCache.GrantsChanged> grantsChanged;
    private final AccessGrants grants;

    public AccessService(EntityManager em, RouterService routers, PushOutbox outbox,
            Event<PollCache.GrantsChanged> grantsChanged, AccessGrants grants) {
        this.em = em;
        this.routers = routers;
        this.outbox = outbox;
        this.grantsChanged = grantsChanged;
        this.grants = grants;
    }

    public record GrantView(long id, long routerId, String macAddress, String ipAddress, Instant expiresAt,
            String rateLimit, String state, UUID lastPaymentId, Instant updatedAt) {
        static GrantView of(AccessGrant g) {
            return new GrantView(g.id, g.routerId, g.macAddress, g.ipAddress, g.expiresAt, g.rateLimit, g.state,
                    g.lastPaymentId, g.updatedAt);
        }
    }

    public record GrantPage(long count, int page, int pageSize, List<GrantView> results) {
    }

    @Transactional
    public GrantPage list(long ownerId, long routerId, int page, int pageSize) {
        routers.get(ownerId, routerId);
        if (page < 1 || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new Invalid("page must be 1 or more and page_size between 1 and " + MAX_PAGE_SIZE);
        }
        Instant now = Instant.now();
        String live = "from AccessGrant g where g.routerId = ?1 and g.state in ('pending', 'on_router') "
                + "and g.expiresAt > ?2";
        long count = em.createQuery("select count(g) " + live, Long.class)
                .setParameter(1, routerId).setParameter(2, now).getSingleResult();
        List<GrantView> results = em.createQuery(live + " order by g.expiresAt, g.id", AccessGrant.class)
                .setParameter(1, routerId).setParameter(2, now)
                .setFirstResult((page - 1) * pageSize).setMaxResults(pageSize)
                .getResultStream().map(GrantView::of).toList();
        return new GrantPage(count, page, pageSize, results);
    }

    @Transactional
    public GrantView revoke(long ownerId, long routerId, long grantId) {
        routers.get(ownerId, routerId);
        AccessGrant grant = em.find(AccessGrant.class, grantId, LockModeType.PESSIMISTIC_WRITE);
        if (grant == null || grant.routerId != routerId) {
            throw new NotFound("Access grant not found");
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (!grant.live() || !grant.expiresAt.isAfter(now)) {
            throw new Conflict("Access grant is already revoked or expired");
        }
        grant.state = "revoked";
        grant.updatedAt = now;
        outbox.enqueue(routerId, "revoke", grant.id, grant.macAddress, now);
        grantsChanged.fire(new PollCache.GrantsChanged(routerId));
        return GrantView.of(grant);
    }

    /** Where paid time goes: the device's new MAC, and its IP when the router enforces by IP binding. */
    public record MoveRequest(String macAddress, String ipAddress) {
    }

    public record Moved(String message, GrantView from, GrantView to, long secondsMoved, boolean merged) {
    }

    /**
     * Moves a live grant's remaining time to another device on the same router, in one transaction under row
     * locks (docs/payments-rules.md, "Moving paid time"). 404 for another owner's router or grant, 400 for a bad
     * or identical MAC, 409 when the grant has no running time.
     */
    @Transactional
    public Moved move(long ownerId, long routerId, long grantId, MoveRequest request) {
        routers.get(ownerId, routerId);
        String mac = MacAddress.normalise(request == null ? null : request.macAddress())
                .orElseThrow(() -> new Invalid("Invalid MAC address format",
                        Map.of("mac_address", "Use AA:BB:CC:DD:EE:FF (the device's new address).")));
        String ip = request.ipAddress() == null || request.ipAddress().isBlank() ? null
                : HostPolicy.literal(request.ipAddress().trim()).map(a -> request.ipAddress().trim())
                        .orElseThrow(() -> new Invalid("Invalid IP address format",
                                Map.of("ip_address", "Use an IPv4 or IPv6 address.")));
        AccessGrant source = em.find(AccessGrant.class, grantId);
        if (source != null && source.routerId == routerId && source.macAddress.equals(mac)) {
            throw new Invalid("The grant is already on " + mac, Map.of("mac_address", "Give the device's new MAC."));
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        AccessGrants.Move move = grants.move(ownerId, routerId, grantId, mac, ip, now);
        if (move == null) {
            throw new NotFound("Access grant not found");
        }
        return new Moved("Moved " + move.moved().toSeconds() + " s of access from " + move.from().macAddress + " to "
                + move.to().macAddress + (move.merged() ? ", after the time it already had" : ""),
                GrantView.of(move.from()), GrantView.of(move.to()), move.moved().toSeconds(), move.merged());
    }

    /** One job of the push outbox, as the owner sees it. */
    public record PushJobView(long id, String kind, Long grantId, String macAddress, String state, int attempts,
            String lastError, Instant createdAt, Instant deliveredAt) {
    }

    /** Where push delivery to a router stands. */
    public record PushStatus(long routerId, String delivery, String enforcementMode, long queuedJobs, int failures,
            Instant retryAt, Instant lastAttemptAt, Instant lastSuccessAt, String lastError, Instant lastDriftCheckAt,
            int lastDriftRepairs, List<PushJobView> recentJobs, TlsState tls) {
    }

    /**
     * How push calls check the router's certificate (docs/routeros-rest.md "TLS and pinning"): {@code mode} is
     * {@code pinned} (exactly the certificate of {@code pinned_fingerprint}), {@code ca} (a CA-signed certificate
     * for the router's host name), {@code unverified} (any certificate: verify_tls=false, labs only) or
     * {@code http} (no TLS). {@code fingerprint_seen} is what the last connection test was presented;
     * {@code last_error} the last refused certificate, until a pass gets through.
     */
    public record TlsState(String mode, String pinnedFingerprint, String fingerprintSeen, Instant fingerprintSeenAt,
            String lastError, Instant lastErrorAt) {
        static TlsState of(Router router, String lastError, Instant lastErrorAt) {
            String mode = !router.useHttps ? "http" : router.tlsFingerprint != null ? "pinned"
                    : router.verifyTls ? "ca" : "unverified";
            return new TlsState(mode, router.tlsFingerprint, router.tlsFingerprintSeen, router.tlsFingerprintSeenAt,
                    lastError, lastErrorAt);
        }
    }

    @Transactional
    public PushStatus pushStatus(long ownerId, long routerId) {
        Router router = routers.get(ownerId, routerId);
        long queued = ((Number) em.createNativeQuery("SELECT count(*) FROM router_push_job WHERE router_id = ?1 "
                        + "AND state = 'queued'").setParameter(1, routerId).getSingleResult()).longValue();
        @SuppressWarnings("unchecked")
        List<Tuple> jobs = em.createNativeQuery("SELECT id, kind, grant_id, mac_address, state, attempts, "
                        + "last_error, created_at, delivered_at FROM router_push_job WHERE router_id = ?1 "
                        + "ORDER BY id DESC LIMIT 20", Tuple.class)
                .setParameter(1, routerId).getResultList();
        List<PushJobView> recent = jobs.stream()
                .map(t -> new PushJobView(((Number) t.get(0)).longValue(), (String) t.get(1),
                        t.get(2) == null ? null : ((Number) t.get(2)).longValue(), (String) t.get(3), (String) t.get(4),
                        ((Number) t.get(5)).intValue(), (String) t.get(6), t.get(7, Instant.class),
                        t.get(8, Instant.class)))
                .toList();
        @SuppressWarnings("unchecked")
        List<Tuple> state = em.createNativeQuery("SELECT failures, retry_at, last_attempt_at, last_success_at, "
                        + "last_error, last_drift_at, last_drift_repairs, last_tls_error, last_tls_error_at "
                        + "FROM router_push_state WHERE router_id = ?1", Tuple.class)
                .setParameter(1, routerId).getResultList();
        if (state.isEmpty()) {
            return new PushStatus(routerId, router.delivery, router.enforcementMode, queued, 0, null, null, null,
                    null, null, 0, recent, TlsState.of(router, null, null));
        }
        Tuple s = state.get(0);
        return new PushStatus(routerId, router.delivery, router.enforcementMode, queued, ((Number) s.get(0)).intValue(),
                s.get(1, Instant.class), s.get(2, Instant.class), s.get(3, Instant.class), (String) s.get(4),
                s.get(5, Instant.class), ((Number) s.get(6)).intValue(), recent,
                TlsState.of(router, (String) s.get(7), s.get(8, Instant.class)));
    }

    /** Queues a full sync of a push router, tried at once even while it is backing off. */
    @Transactional
    public PushStatus requestSync(long ownerId, long routerId) {
        Router router = routers.get(ownerId, routerId);
        if (!router.pushes()) {
            throw new Conflict("Router \"" + router.name + "\" takes no pushes (delivery is poll): it fetches its "
                    + "list itself");
        }
        outbox.enqueue(routerId, "resync", null, null, Instant.now().truncatedTo(ChronoUnit.MICROS));
        outbox.retryNow(routerId);
        return pushStatus(ownerId, routerId);
    }
}
