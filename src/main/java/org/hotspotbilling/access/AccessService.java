package org.hotspotbilling.access;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import org.hotspotbilling.router.RouterService;
import org.hotspotbilling.web.Conflict;
import org.hotspotbilling.web.Invalid;
import org.hotspotbilling.web.NotFound;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/** The owner's side of access grants: listing what a router lets in, and taking it back early. */
@ApplicationScoped
public class AccessService {

    private static final int MAX_PAGE_SIZE = 100;

    private final EntityManager em;
    private final RouterService routers;

    public AccessService(EntityManager em, RouterService routers) {
        this.em = em;
        this.routers = routers;
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
        String live = "from AccessGrant g where g.routerId = ?1 and g.state <> 'revoked' and g.expiresAt > ?2";
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
        if ("revoked".equals(grant.state) || !grant.expiresAt.isAfter(now)) {
            throw new Conflict("Access grant is already revoked or expired");
        }
        grant.state = "revoked";
        grant.updatedAt = now;
        return GrantView.of(grant);
    }
}
