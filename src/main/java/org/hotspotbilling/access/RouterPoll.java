package org.hotspotbilling.access;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import org.hotspotbilling.crypto.Hashes;
import org.hotspotbilling.router.Router;
import org.hotspotbilling.web.NotFound;
import org.hotspotbilling.web.Unauthenticated;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * What a router fetches in pull mode: its live grants. The list's version is derived from the grants themselves
 * (how many are live, and the latest change among them), so it changes when a grant is added, extended, revoked
 * or expires, and completing a payment never has to touch the router row. A grant counts as delivered once a
 * poll has returned it.
 */
@ApplicationScoped
public class RouterPoll {

    /** Lines per page of the text form: about 30 bytes each keeps a page far under RouterOS fetch's 64 KB cap. */
    public static final int PAGE_SIZE = 1000;

    private final EntityManager em;

    public RouterPoll(EntityManager em) {
        this.em = em;
    }

    /** One live grant as the router needs it. */
    public record LiveGrant(long id, String macAddress, String ipAddress, Instant expiresAt, long secondsLeft,
            String rateLimit, String state) {
    }

    /** The router's list at one instant: its version and the requested page. */
    public record Snapshot(long routerId, String version, int count, int page, int pages, List<LiveGrant> grants) {
    }

    /**
     * The router whose token this is, or why not: 404 when the token belongs to another router (so one router's
     * token reveals nothing about others), 401 when it is nobody's.
     */
    public void authenticate(long routerId, String token) {
        if (token == null || token.isBlank()) {
            throw new Unauthenticated("Router token required: Authorization: Bearer <token> or ?token=<token>");
        }
        String hash = Hashes.sha256Hex(token.trim());
        QuarkusTransaction.requiringNew().run(() -> {
            Router router = Router.findById(routerId);
            if (router != null && router.pollTokenSha256 != null
                    && Hashes.constantTimeEquals(router.pollTokenSha256, hash)) {
                return;
            }
            if (Router.count("pollTokenSha256", hash) > 0 || router == null) {
                throw new NotFound("Router not found");
            }
            throw new Unauthenticated("Invalid router token");
        });
    }

    /** The current version only: cheap, for a router asking whether anything changed. */
    public String version(long routerId, Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Tuple row = em.createQuery("select count(g), max(g.updatedAt) from AccessGrant g where g.routerId = ?1 "
                            + "and g.state in ('pending', 'on_router') and g.expiresAt > ?2", Tuple.class)
                    .setParameter(1, routerId).setParameter(2, now).getSingleResult();
            return version(((Number) row.get(0)).intValue(), row.get(1, Instant.class));
        });
    }

    /** A page of the live list; records the poll and marks the returned grants as on the router. */
    public Snapshot fetch(long routerId, int page, Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<AccessGrant> live = em.createQuery("from AccessGrant g where g.routerId = ?1 and g.state in ('pending', 'on_router') "
                            + "and g.expiresAt > ?2 order by g.macAddress", AccessGrant.class)
                    .setParameter(1, routerId).setParameter(2, now).getResultList();
            Instant latest = live.stream().map(g -> g.updatedAt).max(Instant::compareTo).orElse(null);
            String version = version(live.size(), latest);
            int pages = Math.max(1, (live.size() + PAGE_SIZE - 1) / PAGE_SIZE);
            int from = Math.min(live.size(), (page - 1) * PAGE_SIZE);
            List<AccessGrant> slice = live.subList(from, Math.min(live.size(), from + PAGE_SIZE));
            List<LiveGrant> grants = slice.stream().map(g -> new LiveGrant(g.id, g.macAddress, g.ipAddress,
                    g.expiresAt, Math.max(1, Duration.between(now, g.expiresAt).toSeconds()), g.rateLimit, g.state))
                    .toList();
            List<Long> delivered = slice.stream().filter(g -> "pending".equals(g.state)).map(g -> g.id).toList();
            if (!delivered.isEmpty()) {
                // Not through the entities: their updated_at is the list's version, and delivery changes no grant.
                em.createNativeQuery("UPDATE access_grant SET state = 'on_router' WHERE id IN (?1) AND state = 'pending'")
                        .setParameter(1, delivered).executeUpdate();
            }
            em.createNativeQuery("UPDATE router SET last_poll_at = ?1, last_poll_version = ?2 WHERE id = ?3")
                    .setParameter(1, now).setParameter(2, version).setParameter(3, routerId).executeUpdate();
            return new Snapshot(routerId, version, live.size(), page, pages, grants);
        });
    }

    private static String version(int count, Instant latest) {
        return count + "-" + (latest == null ? 0 : ChronoUnit.MICROS.between(Instant.EPOCH, latest));
    }
}
