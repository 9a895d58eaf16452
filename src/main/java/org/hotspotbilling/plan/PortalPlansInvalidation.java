package org.hotspotbilling.plan;

import io.quarkus.arc.Arc;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.EventType;
import org.hibernate.event.spi.PostCommitDeleteEventListener;
import org.hibernate.event.spi.PostCommitInsertEventListener;
import org.hibernate.event.spi.PostCommitUpdateEventListener;
import org.hibernate.event.spi.PostDeleteEvent;
import org.hibernate.event.spi.PostInsertEvent;
import org.hibernate.event.spi.PostUpdateEvent;
import org.hibernate.integrator.spi.Integrator;
import org.hibernate.persister.entity.EntityPersister;
import org.hotspotbilling.router.Router;
import org.hotspotbilling.router.RouterService;

/**
 * Drops a router's package lists kept in memory ({@link PlanService#forPortal}, {@link PlanService#forOwner}) after
 * any insert, update or delete of one of its packages, or of the router itself, has committed (or failed to),
 * whichever service made it; and the owner's router list ({@link RouterService#listViews}) after a change of one of
 * the owner's routers. Registered with Hibernate through
 * {@code META-INF/services/org.hibernate.integrator.spi.Integrator}.
 */
public class PortalPlansInvalidation implements Integrator, PostCommitInsertEventListener,
        PostCommitUpdateEventListener, PostCommitDeleteEventListener {

    @Override
    public void integrate(Metadata metadata, BootstrapContext bootstrapContext,
            SessionFactoryImplementor sessionFactory) {
        EventListenerRegistry listeners = sessionFactory.getServiceRegistry().getService(EventListenerRegistry.class);
        listeners.appendListeners(EventType.POST_COMMIT_INSERT, this);
        listeners.appendListeners(EventType.POST_COMMIT_UPDATE, this);
        listeners.appendListeners(EventType.POST_COMMIT_DELETE, this);
    }

    @Override
    public boolean requiresPostCommitHandling(EntityPersister persister) {
        Class<?> type = persister.getMappedClass();
        return type == Plan.class || type == Router.class;
    }

    @Override
    public void onPostInsert(PostInsertEvent event) {
        forget(event.getEntity(), event.getId());
    }

    @Override
    public void onPostInsertCommitFailed(PostInsertEvent event) {
        forget(event.getEntity(), event.getId());
    }

    @Override
    public void onPostUpdate(PostUpdateEvent event) {
        forget(event.getEntity(), event.getId());
        if (event.getEntity() instanceof Plan && event.getOldState() != null) {
            // A package moved to another router leaves the old router's list too.
            Object before = event.getOldState()[event.getPersister().getPropertyIndex("routerId")];
            if (before instanceof Long routerId) {
                plans().forgetRouterLists(routerId);
            }
        }
    }

    @Override
    public void onPostUpdateCommitFailed(PostUpdateEvent event) {
        forget(event.getEntity(), event.getId());
    }

    @Override
    public void onPostDelete(PostDeleteEvent event) {
        forget(event.getEntity(), event.getId());
    }

    @Override
    public void onPostDeleteCommitFailed(PostDeleteEvent event) {
        forget(event.getEntity(), event.getId());
    }

    private static void forget(Object entity, Object id) {
        if (entity instanceof Plan plan) {
            plans().forgetRouterLists(plan.routerId);
        } else if (entity instanceof Router router && id instanceof Long routerId) {
            plans().forgetRouterLists(routerId);
            Arc.container().instance(RouterService.class).get().forgetList(router.ownerId);
        }
    }

    private static PlanService plans() {
        return Arc.container().instance(PlanService.class).get();
    }
}
