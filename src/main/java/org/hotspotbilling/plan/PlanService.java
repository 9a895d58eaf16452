package org.hotspotbilling.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import org.hotspotbilling.plan.PlanDtos.PlanRequest;
import org.hotspotbilling.plan.PlanDtos.PlanView;
import org.hotspotbilling.router.Router;
import org.hotspotbilling.router.RouterService;
import org.hotspotbilling.web.DatabaseErrors;
import org.hotspotbilling.web.Invalid;
import org.hotspotbilling.web.JsonBody;
import org.hotspotbilling.web.NotFound;
import org.hotspotbilling.web.ShortLivedCache;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * WiFi packages, always reached through a router of the calling owner.
 *
 * <p>The captive portal's list of each router is kept for {@link PlanConfig#portalListCacheTtl()}: the page asks
 * for it on every customer's visit, and it changes only when its owner edits a package or the router. How stale it
 * can be: a change of a package or a router committed through this instance drops the router's list here at once
 * ({@link PortalPlansInvalidation}, after the commit); a change made on another instance shows here within that
 * time. A purchase never relies on it: initiate reads the package and its price from the database.
 */
@ApplicationScoped
public class PlanService {

    static final String NOT_FOUND = "Package not found or access denied";
    private static final String REQUIRED = "This field is required.";
    private static final BigDecimal MIN_PRICE = new BigDecimal("0.01");
    private static final BigDecimal MAX_PRICE = new BigDecimal("99999999.99");
    private static final BigDecimal MAX_SPEED = BigDecimal.valueOf(100000);

    private final RouterService routers;
    private final ShortLivedCache<Long, PortalList> portalLists;
    private final ShortLivedCache<Long, PortalList> ownerLists;
    private final ShortLivedCache<Long, JsonBody> ownerAll;
    private final ObjectMapper json;

    public PlanService(RouterService routers, PlanConfig config, ObjectMapper json) {
        this.routers = routers;
        this.json = json;
        this.portalLists = new ShortLivedCache<>(config.portalListCacheTtl(), 10_000);
        this.ownerLists = new ShortLivedCache<>(config.portalListCacheTtl(), 10_000);
        this.ownerAll = new ShortLivedCache<>(config.portalListCacheTtl(), 10_000);
    }

    /** A router's portal list and the owner it belongs to (routers never change owner). */
    private record PortalList(long ownerId, PlanDtos.RouterPlans plans) {
    }

    /**
     * The owner's packages, of one router or of all, as the API answers them; the list of all is kept like the
     * routers' lists (dropped by any committed change of a package or router through this instance), written as JSON
     * once: it is the longest of the lists.
     */
    public JsonBody list(long ownerId, Long routerId) {
        return routerId != null ? JsonBody.of(json, read(ownerId, routerId))
                : ownerAll.getOrRead(ownerId, () -> JsonBody.of(json, read(ownerId, null)));
    }

    @Transactional
    List<PlanView> read(long ownerId, Long routerId) {
        List<Plan> plans = Plan.listOwned(ownerId, routerId);
        Map<Long, String> names = plans.isEmpty() ? Map.of() : Router.namesOwned(ownerId);
        return plans.stream().map(p -> PlanView.of(p, names.get(p.routerId))).toList();
    }

    @Transactional
    public PlanView get(long ownerId, long planId) {
        return view(owned(ownerId, planId));
    }

    /** A router's packages for its owner (all) or for its captive portal (active ones only), read now. */
    @Transactional
    PlanDtos.RouterPlans forRouter(long ownerId, long routerId, boolean activeOnly) {
        Router router = routers.get(ownerId, routerId);
        List<PlanView> plans = Plan.listForRouter(routerId, activeOnly).stream()
                .map(p -> PlanView.of(p, router.name)).toList();
        return new PlanDtos.RouterPlans(routerId, router.name, plans,
                "Found " + plans.size() + (activeOnly ? " active" : "") + " packages for " + router.name);
    }

    /** What a captive portal shows: the router's active packages, kept for a few seconds. */
    public PlanDtos.RouterPlans forPortal(long ownerId, long routerId) {
        return kept(portalLists, ownerId, routerId, true);
    }

    /**
     * What the router's owner sees: all its packages, kept like the portal's list (and dropped with it), so an owner's
     * dashboard costs the database no more than the captive portal does.
     */
    public PlanDtos.RouterPlans forOwner(long ownerId, long routerId) {
        return kept(ownerLists, ownerId, routerId, false);
    }

    private PlanDtos.RouterPlans kept(ShortLivedCache<Long, PortalList> lists, long ownerId, long routerId,
            boolean activeOnly) {
        PortalList kept = lists.getOrRead(routerId,
                () -> new PortalList(ownerId, forRouter(ownerId, routerId, activeOnly)));
        // Another owner's router: read for this caller, which answers 404.
        return kept.ownerId() == ownerId ? kept.plans() : forRouter(ownerId, routerId, activeOnly);
    }

    /**
     * Drops a router's kept lists, and every owner's list of all packages (package changes are rare; a package does
     * not name its owner); called once a change of the router or its packages has committed.
     */
    void forgetRouterLists(long routerId) {
        portalLists.forget(routerId);
        ownerLists.forget(routerId);
        ownerAll.forgetAll();
    }

    /**
     * The active package with this id on this owner's router, for a purchase, in one query. When there is none, says
     * why as the API does: 404 for a router that is not the owner's, else 400.
     */
    @Transactional
    public Plan purchasable(long ownerId, long routerId, long planId) {
        return Plan.findActiveOwned(planId, routerId, ownerId).orElseThrow(() -> {
            routers.get(ownerId, routerId);
            return new Invalid("Package not found or not active for this router");
        });
    }

    @Transactional
    public PlanView create(long ownerId, PlanRequest request) {
        validate(request, true);
        Router router = routers.get(ownerId, request.router());
        requireUniqueName(router.id, request.name().strip(), null);
        Plan plan = new Plan();
        apply(plan, request, true);
        plan.routerId = router.id;
        persist(plan);
        return PlanView.of(plan, router.name);
    }

    @Transactional
    public PlanView update(long ownerId, long planId, PlanRequest request, boolean replace) {
        Plan plan = owned(ownerId, planId);
        validate(request, replace);
        long routerId = request.router() == null ? plan.routerId : routers.get(ownerId, request.router()).id;
        // Checked before the managed entity changes: the query would otherwise flush the clash first.
        requireUniqueName(routerId, request.name() == null ? plan.name : request.name().strip(), plan.id);
        apply(plan, request, replace);
        plan.routerId = routerId;
        persist(plan);
        return view(plan);
    }

    @Transactional
    public String delete(long ownerId, long planId) {
        Plan plan = owned(ownerId, planId);
        plan.delete();
        return plan.name;
    }

    private Plan owned(long ownerId, long planId) {
        return Plan.findOwned(planId, ownerId).orElseThrow(() -> new NotFound(NOT_FOUND));
    }

    private static void validate(PlanRequest request, boolean complete) {
        Map<String, String> errors = new TreeMap<>();
        if (complete) {
            if (request.name() == null || request.name().isBlank()) {
                errors.put("name", REQUIRED);
            }
            requirePresent(errors, "router", request.router());
            requirePresent(errors, "package_type", request.packageType());
            requirePresent(errors, "duration_hours", request.durationHours());
            requirePresent(errors, "price", request.price());
            requirePresent(errors, "download_speed_mbps", request.downloadSpeedMbps());
            requirePresent(errors, "upload_speed_mbps", request.uploadSpeedMbps());
        } else if (request.name() != null && request.name().isBlank()) {
            errors.put("name", REQUIRED);
        }
        if (request.price() != null) {
            BigDecimal price = request.price();
            if (price.stripTrailingZeros().scale() > 2) {
                errors.put("price", "Ensure that there are no more than 2 decimal places.");
            } else if (price.compareTo(MIN_PRICE) < 0) {
                errors.put("price", "Ensure this value is greater than or equal to 0.01.");
            } else if (price.compareTo(MAX_PRICE) > 0) {
                errors.put("price", "Ensure this value is less than or equal to 99999999.99.");
            }
        }
        speed(errors, "download_speed_mbps", request.downloadSpeedMbps());
        speed(errors, "upload_speed_mbps", request.uploadSpeedMbps());
        if (!errors.isEmpty()) {
            throw Invalid.ofFields(errors);
        }
    }

    /** RouterOS rates are whole kbit/s: up to three decimals of Mbps (1.5 → 1500k). */
    private static void speed(Map<String, String> errors, String field, BigDecimal mbps) {
        if (mbps == null) {
            return;
        }
        if (mbps.signum() <= 0) {
            errors.put(field, "Must be greater than 0.");
        } else if (mbps.compareTo(MAX_SPEED) > 0) {
            errors.put(field, "Must be at most 100000.");
        } else if (mbps.stripTrailingZeros().scale() > 3) {
            errors.put(field, "Must have at most 3 decimal places (whole kbit/s).");
        }
    }

    private static void requirePresent(Map<String, String> errors, String field, Object value) {
        if (value == null) {
            errors.put(field, REQUIRED);
        }
    }

    private static void apply(Plan plan, PlanRequest request, boolean replace) {
        if (replace || request.name() != null) {
            plan.name = request.name().strip();
        }
        if (replace || request.packageType() != null) {
            plan.packageType = request.packageType();
        }
        if (replace || request.durationHours() != null) {
            plan.durationHours = request.durationHours();
        }
        if (replace || request.price() != null) {
            plan.price = request.price().setScale(2, RoundingMode.UNNECESSARY);
        }
        if (replace || request.downloadSpeedMbps() != null) {
            plan.downloadSpeedMbps = request.downloadSpeedMbps();
        }
        if (replace || request.uploadSpeedMbps() != null) {
            plan.uploadSpeedMbps = request.uploadSpeedMbps();
        }
        if (replace || request.dataLimitMb() != null) {
            plan.dataLimitMb = request.dataLimitMb();
        }
        if (replace || request.sharedUsers() != null) {
            plan.sharedUsers = request.sharedUsers() == null ? 1 : request.sharedUsers();
        }
        if (replace || request.description() != null) {
            plan.description = request.description() == null ? "" : request.description();
        }
        if (replace || request.isActive() != null) {
            plan.active = !Boolean.FALSE.equals(request.isActive());
        }
    }

    private static void requireUniqueName(long routerId, String name, Long planId) {
        if (Plan.nameTaken(routerId, name, planId)) {
            throw duplicateName(name);
        }
    }

    private static void persist(Plan plan) {
        try {
            plan.persistAndFlush();
        } catch (PersistenceException e) {
            if (DatabaseErrors.isUniqueViolation(e)) {
                throw duplicateName(plan.name); // a concurrent request took the name after our check
            }
            throw e;
        }
    }

    private static Invalid duplicateName(String name) {
        String message = "A package with name '" + name + "' already exists for this router.";
        return new Invalid(message, Map.of("name", message));
    }

    private PlanView view(Plan plan) {
        return PlanView.of(plan, Router.<Router>findById(plan.routerId).name);
    }
}
