package org.hotspotbilling.access;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import org.hotspotbilling.access.poll.PollCache;
import org.hotspotbilling.access.push.PushOutbox;
import org.hotspotbilling.web.Conflict;
import org.hotspotbilling.work.DirectSql;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
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
    private final Event<TimeMoved> timeMoved;

    public AccessGrants(EntityManager em, PushOutbox outbox, Event<PollCache.GrantsChanged> grantsChanged,
            Event<TimeMoved> timeMoved) {
        this.em = em;
        this.outbox = outbox;
        this.grantsChanged = grantsChanged;
        this.timeMoved = timeMoved;
    }

    /**
     * Grants {@code hours} of access. When the device still has running access on this router, the new time is
     * added after its current expiry, and the whole stacked time runs at the faster of the two rates: a customer
     * who tops up with a slower package keeps the speed already paid for (docs/payments-rules.md, "Stacked
     * purchases"). Answers the new expiry.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Instant grant(long ownerId, long routerId, String mac, String ip, int hours, String rateLimit,
            UUID paymentId, Instant now) {
        Instant fromNow = now.plus(Duration.ofHours(hours));
        // The device's first grant on this router is written as it ends up, in one statement.
        Long created = insertIfAbsent(ownerId, routerId, mac, ip, GrantState.pending, fromNow, rateLimit, paymentId,
                now);
        long grantId;
        Instant expiry;
        if (created != null) {
            grantId = created;
            expiry = fromNow;
        } else {
            AccessGrant grant = topUp(routerId, mac, ip, hours, rateLimit, paymentId, now);
            grantId = grant.id;
            expiry = grant.expiresAt;
        }
        // Same transaction: a completed payment and the job that puts it on a push router commit together.
        outbox.enqueue(routerId, "grant", grantId, mac, now);
        // The router's next poll to this instance sees the new list, even before the database's notice arrives.
        grantsChanged.fire(new PollCache.GrantsChanged(routerId));
        return expiry;
    }

    /** The device's existing row, locked and given the new time (stacked when running). */
    private AccessGrant topUp(long routerId, String mac, String ip, int hours, String rateLimit, UUID paymentId,
            Instant now) {
        // Concurrent completions for one device queue here.
        AccessGrant grant = em.createQuery("from AccessGrant where routerId = ?1 and macAddress = ?2", AccessGrant.class)
                .setParameter(1, routerId).setParameter(2, mac)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                .getSingleResult();
        boolean running = grant.live() && grant.expiresAt.isAfter(now);
        Instant start = running ? grant.expiresAt : now;
        grant.expiresAt = start.plus(Duration.ofHours(hours));
        grant.ipAddress = ip == null ? grant.ipAddress : ip;
        grant.rateLimit = running ? faster(grant.rateLimit, rateLimit) : rateLimit;
        grant.moveTo(GrantState.pending, now);
        grant.lastPaymentId = paymentId;
        return grant;
    }

    /**
     * Paid time that moved from one device to another on the same router: fired inside the moving transaction,
     * so that whoever records it (the payment's timeline) commits with it.
     */
    public record TimeMoved(UUID paymentId, long routerId, String fromMac, String toMac, Duration moved,
            boolean merged, Instant expiresAt) {
    }

    /** A grant after a move: what the owner sees of both ends. */
    public record Move(AccessGrant from, AccessGrant to, Duration moved, boolean merged) {
    }

    /**
     * Moves the remaining time of grant {@code grantId} to {@code toMac} on the same router (the customer's phone
     * randomised its MAC), both rows locked in id order so that opposite moves cannot deadlock. Running time on the
     * target is kept and the moved time added after it, at the faster rate. The source ends (revoked); both changes
     * reach the router like any other. Null when the grant is not there (the caller answers 404); throws
     * {@link NothingLive} when its time is over.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Move move(long ownerId, long routerId, long grantId, String toMac, String toIp, Instant now) {
        AccessGrant source = em.find(AccessGrant.class, grantId);
        if (source == null || source.routerId != routerId || source.ownerId != ownerId) {
            return null;
        }
        // The target's row exists afterwards (a new one with nothing: revoked), so that it can be locked.
        insertIfAbsent(ownerId, routerId, toMac, toIp, GrantState.revoked, now, source.rateLimit, null, now);
        List<AccessGrant> locked = em.createQuery("from AccessGrant where routerId = ?1 and (id = ?2 or macAddress = ?3) "
                        + "order by id", AccessGrant.class)
                .setParameter(1, routerId).setParameter(2, grantId).setParameter(3, toMac)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                .getResultList();
        AccessGrant from = locked.stream().filter(g -> g.id == grantId).findFirst().orElseThrow();
        AccessGrant to = locked.stream().filter(g -> g.id != grantId).findFirst().orElseThrow();
        em.refresh(from); // re-read under the lock: a sweep or revocation may have ended it meanwhile
        if (!from.live() || !from.expiresAt.isAfter(now)) {
            throw new NothingLive();
        }
        Duration remaining = Duration.between(now, from.expiresAt);
        boolean merged = to.live() && to.expiresAt.isAfter(now);
        to.expiresAt = (merged ? to.expiresAt : now).plus(remaining);
        to.rateLimit = merged ? faster(to.rateLimit, from.rateLimit) : from.rateLimit;
        to.ipAddress = toIp != null ? toIp : merged ? to.ipAddress : null;
        to.lastPaymentId = merged && to.lastPaymentId != null ? to.lastPaymentId : from.lastPaymentId;
        to.moveTo(GrantState.pending, now);
        from.moveTo(GrantState.revoked, now);
        outbox.enqueue(routerId, "revoke", from.id, from.macAddress, now);
        outbox.enqueue(routerId, "grant", to.id, to.macAddress, now);
        grantsChanged.fire(new PollCache.GrantsChanged(routerId));
        timeMoved.fire(new TimeMoved(from.lastPaymentId, routerId, from.macAddress, to.macAddress, remaining, merged,
                to.expiresAt));
        return new Move(from, to, remaining, merged);
    }

    /** The grant to move has no time left: revoked, expired, or never live. */
    public static final class NothingLive extends Conflict {
        NothingLive() {
            super("The grant has no running time to move: it is revoked or expired");
        }
    }

    /**
     * Writes the device's row on this router as given, unless it has one already: answers the new row's id, or null
     * when the row is there (then nothing is written and no lock taken). An insert of the same device by a
     * transaction not yet committed is waited for, and counts as there once committed.
     */
    private Long insertIfAbsent(long ownerId, long routerId, String mac, String ip, GrantState state,
            Instant expiresAt, String rateLimit, UUID paymentId, Instant now) {
        return DirectSql.query(em, "INSERT INTO access_grant (owner_id, router_id, mac_address, ip_address, "
                        + "expires_at, rate_limit, state, last_payment_id, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (router_id, mac_address) DO NOTHING RETURNING id",
                (statement, connection) -> {
                    statement.setLong(1, ownerId);
                    statement.setLong(2, routerId);
                    statement.setString(3, mac);
                    statement.setString(4, ip);
                    statement.setObject(5, expiresAt.atOffset(ZoneOffset.UTC));
                    statement.setString(6, rateLimit);
                    statement.setString(7, state.name());
                    statement.setObject(8, paymentId);
                    statement.setObject(9, now.atOffset(ZoneOffset.UTC));
                    statement.setObject(10, now.atOffset(ZoneOffset.UTC));
                }, (row, present) -> present ? row.getLong(1) : null);
    }

    /**
     * The faster of two RouterOS rate limits ("upload/download"): the higher download wins, the higher upload
     * breaks a tie. Customers choose packages by download speed.
     */
    static String faster(String current, String offered) {
        long[] a = bitsPerSecond(current);
        long[] b = bitsPerSecond(offered);
        int byDownload = Long.compare(a[1], b[1]);
        return byDownload > 0 || (byDownload == 0 && a[0] >= b[0]) ? current : offered;
    }

    /** "2M/5M" → {2,000,000, 5,000,000}: upload, download, in bit/s (k = 1,000, M = 1,000,000). */
    private static long[] bitsPerSecond(String rateLimit) {
        String[] parts = rateLimit.split("/");
        return new long[] { bits(parts[0]), bits(parts[1]) };
    }

    private static long bits(String rate) {
        char unit = rate.charAt(rate.length() - 1);
        long scale = unit == 'M' ? 1_000_000 : unit == 'k' ? 1_000 : 1;
        return Long.parseLong(Character.isDigit(unit) ? rate : rate.substring(0, rate.length() - 1)) * scale;
    }

    /** Where a device's access stands: {@code pending} until the router has it, then {@code on_router}. */
    public record AccessState(GrantState state, Instant expiresAt) {
    }

    @Transactional
    public Optional<AccessState> stateOf(long routerId, String mac) {
        return em.createQuery("from AccessGrant where routerId = ?1 and macAddress = ?2", AccessGrant.class)
                .setParameter(1, routerId).setParameter(2, mac).setMaxResults(1).getResultList().stream().findFirst()
                .map(g -> new AccessState(g.state(), g.expiresAt)); // a list, not a stream: no scrollable cursor per poll
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
