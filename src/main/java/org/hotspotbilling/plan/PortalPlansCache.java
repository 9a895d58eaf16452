package org.hotspotbilling.plan;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The captive portal's package list of each router, kept for {@link PlanConfig#portalListCacheTtl()}: the page asks
 * for it on every customer's visit, and it changes only when its owner edits a package or the router.
 *
 * <p>How stale it can be: a change of a package or a router committed through this instance drops the router's list
 * here at once ({@link PortalPlansInvalidation}, after the commit). A change made on another instance shows here
 * within the TTL. A purchase never relies on it: initiate reads the package and its price from the database.
 */
@ApplicationScoped
public class PortalPlansCache {

    /** A router's portal list and the owner it belongs to (routers never change owner). */
    record Entry(long ownerId, PlanDtos.RouterPlans plans) {
    }

    private final Cache<Long, Entry> byRouter;
    /** Bumped by every invalidation, so a read that raced one does not store what it saw before the change. */
    private long generation;

    public PortalPlansCache(PlanConfig config) {
        this.byRouter = config.portalListCacheTtl().isZero() ? null : Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterWrite(config.portalListCacheTtl())
                .build();
    }

    /** The kept list of this owner's router, or null: read it. */
    PlanDtos.RouterPlans get(long ownerId, long routerId) {
        Entry entry = byRouter == null ? null : byRouter.getIfPresent(routerId);
        return entry == null || entry.ownerId() != ownerId ? null : entry.plans();
    }

    /** Taken before a database read and handed back to {@link #remember}. */
    synchronized long generation() {
        return generation;
    }

    /** Keeps a list read from the database unless a change committed since {@code generationBefore} was taken. */
    synchronized void remember(long ownerId, PlanDtos.RouterPlans plans, long generationBefore) {
        if (byRouter != null && generation == generationBefore) {
            byRouter.put(plans.routerId(), new Entry(ownerId, plans));
        }
    }

    /** Drops a router's list; called once a change of it or of its packages has committed. */
    synchronized void forget(long routerId) {
        generation++;
        if (byRouter != null) {
            byRouter.invalidate(routerId);
        }
    }
}
