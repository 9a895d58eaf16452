package org.hotspotbilling.access;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Writes what a device may do on a router. Called inside the completing payment's transaction, so the grant and
 * the completion commit together or not at all, with the push job of a router that takes pushes.
 */
@ApplicationScoped
public class AccessGrants {

    private final EntityManager em;
    private final PushOutbox outbox;
    private final Event<PollCache.GrantsChanged> grantsChanged;

    public AccessGrants(EntityManager em, PushOutbox outbox, Event<PollCache.GrantsChanged> grantsChanged) {
        this.em = em;
        this.outbox = outbox;
        this.grantsChanged = grantsChanged;
    }

    /**
     * Grants {@code hours} of access. When the device still has running access on this router, the new time is
     * added after its current expiry. Answers the new expiry.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Instant grant(long ownerId, long routerId, String mac, String ip, int hours, String rateLimit,
            UUID paymentId, Instant now) {
        // Make sure the row exists, then lock it: concurrent completions for one device queue here.
        em.createNativeQuery("INSERT INTO access_grant (owner_id, router_id, mac_address, ip_address, expires_at, "
                        + "rate_limit, state, last_payment_id, created_at, updated_at) "
                        + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'revoked', NULL, ?5, ?5) "
                        + "ON CONFLICT (router_id, mac_address) DO NOTHING")
                .setParameter(1, ownerId).setParameter(2, routerId).setParameter(3, mac).setParameter(4, ip)
                .setParameter(5, now).setParameter(6, rateLimit)
                .executeUpdate();
        AccessGrant grant = em.createQuery("from AccessGrant where routerId = ?1 and macAddress = ?2", AccessGrant.class)
                .setParameter(1, routerId).setParameter(2, mac)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                .getSingleResult();
        boolean running = grant.live() && grant.expiresAt.isAfter(now);
        Instant start = running ? grant.expiresAt : now;
        grant.expiresAt = start.plus(Duration.ofHours(hours));
        grant.ipAddress = ip == null ? grant.ipAddress : ip;
        grant.rateLimit = rateLimit;
        grant.state = "pending";
        grant.lastPaymentId = paymentId;
        grant.updatedAt = now;
        // Same transaction: a completed payment and the job that puts it on a push router commit together.
        outbox.enqueue(routerId, "grant", grant.id, mac, now);
        // The router's next poll to this instance sees the new list, even before the database's notice arrives.
        grantsChanged.fire(new PollCache.GrantsChanged(routerId));
        return grant.expiresAt;
    }

    /** Where a device's access stands: {@code pending} until the router has it, then {@code on_router}. */
    public record AccessState(String state, Instant expiresAt) {
    }

    @Transactional
    public Optional<AccessState> stateOf(long routerId, String mac) {
        return em.createQuery("from AccessGrant where routerId = ?1 and macAddress = ?2", AccessGrant.class)
                .setParameter(1, routerId).setParameter(2, mac).setMaxResults(1).getResultList().stream().findFirst()
                .map(g -> new AccessState(g.state, g.expiresAt)); // a list, not a stream: no scrollable cursor per poll
    }

    /**
     * RouterOS rate-limit for a package, upload first (rx is the client's upload): 5 down / 2 up → "2M/5M";
     * fractions in whole kbit/s: 1.5 down / 0.512 up → "512k/1500k" (k = 1,000, M = 1,000,000).
     */
    public static String rateLimit(BigDecimal downloadMbps, BigDecimal uploadMbps) {
        return rate(uploadMbps) + "/" + rate(downloadMbps);
    }

    private static String rate(BigDecimal mbps) {
        BigDecimal kbps = mbps.multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.HALF_UP);
        return kbps.remainder(BigDecimal.valueOf(1000)).signum() == 0
                ? kbps.divide(BigDecimal.valueOf(1000)).toBigInteger() + "M"
                : kbps.toBigInteger() + "k";
    }
}
