package org.hotspotbilling.access.push;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import org.hotspotbilling.access.AccessConfig;
import org.hotspotbilling.crypto.Tokens;
import org.hotspotbilling.router.RouterOsClient;
import org.hotspotbilling.router.RouterOsException;
import org.hotspotbilling.router.RouterService;
import org.hotspotbilling.work.LeasedDispatcher;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delivers the push outbox. A completed payment wakes it as soon as its transaction commits; a scheduled sweep
 * catches what another instance queued, retries whose backoff is over, and routers whose worker crashed.
 * Router calls run on a pool of platform threads (they block on the router for up to the read timeout) and never
 * inside a database transaction. One router is one pass at a time: its lease in {@link PushOutbox}.
 */
@ApplicationScoped
public class PushWorker {

    private static final Logger LOG = Logger.getLogger(PushWorker.class);

    private final PushOutbox outbox;
    private final RouterService routers;
    private final RouterOsClient client;
    private final AccessConfig.Push config;
    /** Identifies this instance's leases in router_push_state. */
    private final String token = Tokens.randomHex(16);
    private volatile LeasedDispatcher dispatcher;

    public PushWorker(PushOutbox outbox, RouterService routers, RouterOsClient client, AccessConfig config) {
        this.outbox = outbox;
        this.routers = routers;
        this.client = client;
        this.config = config.push();
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("Push delivery is off in this instance (hotspot.access.push.enabled=false)");
            return;
        }
        dispatcher = new LeasedDispatcher("push", config.workers(),
                free -> outbox.claim(free, token, Instant.now(), config.lease()), this::pass);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (dispatcher != null) {
            // A pass cut short here is finished by whichever instance takes the router after its lease.
            dispatcher.stop(Duration.ofSeconds(5));
        }
    }

    void onQueued(@Observes(during = TransactionPhase.AFTER_SUCCESS) PushOutbox.Queued queued) {
        wake();
    }

    @Scheduled(every = "${hotspot.access.push.sweep-interval:5s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        wake();
    }

    @Scheduled(every = "1m", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void driftCheck() {
        if (config.enabled() && !config.driftInterval().isZero()) {
            outbox.enqueueDriftChecks(Instant.now(), config.driftInterval());
        }
    }

    /** Asks the dispatcher to look for due routers; calls made while it is already asked fold into one. */
    public void wake() {
        LeasedDispatcher d = dispatcher;
        if (d != null) {
            d.wake();
        }
    }

    /** Passes finished by this instance since start (tests wait on it). */
    public int passesRun() {
        LeasedDispatcher d = dispatcher;
        return d == null ? 0 : d.finished();
    }

    private void pass(long routerId) {
        Instant started = Instant.now().truncatedTo(ChronoUnit.MICROS);
        PushOutbox.Pass pass;
        try {
            pass = outbox.begin(routerId, started);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Could not read router %d's grants; retried after its lease", routerId);
            return;
        }
        if (!pass.pushes()) {
            outbox.dropped(pass, token, started);
            return;
        }
        try {
            RouterOsClient.Target target = routers.targetOf(pass.ownerId(), routerId);
            RestMenus menus = new RestMenus(new LeasedCalls(routerId, target));
            RouterSync.Result result = RouterSync.run(menus, pass.enforcementMode(), pass.desired(),
                    pass.checkEverything());
            result.notes().forEach(note -> LOG.warnf("Router %d: %s", routerId, note));
            if (!result.complete()) {
                failed(pass, String.join("; ", result.problems()), false, false, result.applied());
                return;
            }
            Instant done = Instant.now().truncatedTo(ChronoUnit.MICROS);
            outbox.succeeded(pass, token, done, result.changes(), result.applied());
            if (pass.driftCheck() && result.changes() > 0) {
                LOG.warnf("Router %d had drifted from its grants: %d entries repaired", routerId, result.changes());
            } else if (pass.checkEverything() && result.changes() > 0) {
                // A resync after the router was created or re-configured: changes are expected, not drift.
                LOG.infof("Router %d resynchronised with its grants: %d entries written", routerId, result.changes());
            }
        } catch (LeaseLost e) {
            LOG.warnf("Lost the lease on router %d mid-pass; its new worker finishes the job", routerId);
        } catch (RouterOsException e) {
            failed(pass, e.getMessage(), ownerMustFix(e), e.kind() == RouterOsException.Kind.TLS, Set.of());
        } catch (RuntimeException e) {
            LOG.errorf(e, "Push to router %d failed unexpectedly", routerId);
            failed(pass, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), false, false,
                    Set.of());
        }
    }

    /**
     * Records a failed pass (the devices it did apply count as on the router; a refused certificate is kept apart
     * for the owner) and when to try again.
     */
    private void failed(PushOutbox.Pass pass, String why, boolean ownerMustFix, boolean certificateRefused,
            Set<String> applied) {
        int failures = outbox.failures(pass.routerId()) + 1;
        Instant retryAt = Instant.now().plus(backoff(failures, ownerMustFix));
        outbox.failed(pass, token, why, retryAt, applied, certificateRefused);
        LOG.warnf("Push to router %d failed (%d in a row), retrying at %s: %s", pass.routerId(), failures, retryAt, why);
    }

    /**
     * Exponential backoff with equal jitter: half the delay fixed, half random, so routers that went down together
     * do not all come back at the same instant. Refused credentials or certificates wait the longest: only the
     * owner can fix them (and a fix queues a sync at once).
     */
    Duration backoff(int failures, boolean credentials) {
        long max = config.retryMax().toMillis();
        long delay = credentials ? max
                : Math.min(max, config.retryBase().toMillis() << Math.min(20, Math.max(0, failures - 1)));
        return Duration.ofMillis(delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1));
    }

    private static boolean ownerMustFix(RouterOsException e) {
        return e.kind() == RouterOsException.Kind.REFUSED || e.kind() == RouterOsException.Kind.HOST_NOT_ALLOWED
                || e.kind() == RouterOsException.Kind.TLS;
    }

    /** The lease ran out and another worker holds the router now: this pass stops writing. */
    static final class LeaseLost extends RuntimeException {
        LeaseLost(long routerId) {
            super("Lease on router " + routerId + " lost");
        }
    }

    /** Router calls of one pass, renewing the lease when half of it is used up. */
    private final class LeasedCalls implements RestMenus.Calls {
        private final long routerId;
        private final RouterOsClient.Target target;
        private Instant renewAt;

        LeasedCalls(long routerId, RouterOsClient.Target target) {
            this.routerId = routerId;
            this.target = target;
            this.renewAt = Instant.now().plus(config.lease().dividedBy(2));
        }

        @Override
        public JsonNode call(String method, String path, Map<String, String> query, JsonNode body)
                throws RouterOsException {
            Instant now = Instant.now();
            if (now.isAfter(renewAt)) {
                if (!outbox.renew(routerId, token, now.plus(config.lease()))) {
                    throw new LeaseLost(routerId);
                }
                renewAt = now.plus(config.lease().dividedBy(2));
            }
            return client.call(target, method, path, query, body);
        }
    }
}
