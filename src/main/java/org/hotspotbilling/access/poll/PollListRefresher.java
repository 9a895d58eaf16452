package org.hotspotbilling.access.poll;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Where a change of a router's grants lands in this instance: the router's list in memory is forgotten at once,
 * and, when this instance held it (its router polls here), reloaded ahead of the next poll, which is how the change
 * reaches the router. Reloads are batched: changes that arrive while one batch is read form the next, so a burst
 * of changes costs the database a few queries instead of one per poll. A poll that comes before its list is
 * reloaded reads the database itself, as without memory.
 */
@ApplicationScoped
public class PollListRefresher {

    private static final Logger LOG = Logger.getLogger(PollListRefresher.class);
    private static final int BATCH = 500;

    private final PollCache cache;
    private final RouterPoll poll;
    private final Set<Long> queued = ConcurrentHashMap.newKeySet();
    private final LinkedBlockingQueue<Long> queue = new LinkedBlockingQueue<>();
    private volatile Thread thread;

    public PollListRefresher(PollCache cache, RouterPoll poll) {
        this.cache = cache;
        this.poll = poll;
    }

    void start(@Observes StartupEvent event) {
        Thread t = new Thread(this::run, "poll-list-refresher");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void stop(@Observes ShutdownEvent event) {
        Thread t = thread;
        thread = null;
        if (t != null) {
            t.interrupt();
        }
    }

    /** The router's grants changed (told by this instance's commit or by the database). */
    public void grantsChanged(long routerId) {
        if (cache.grantsChanged(routerId) && queued.add(routerId)) {
            queue.add(routerId);
        }
    }

    void onGrantsChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) PollCache.GrantsChanged changed) {
        grantsChanged(changed.routerId());
    }

    private void run() {
        List<Long> batch = new ArrayList<>(BATCH);
        while (thread != null) {
            try {
                batch.add(queue.take());
                queue.drainTo(batch, BATCH - 1);
                batch.forEach(queued::remove); // a change from now on queues the router again
                long stamp = cache.stamp();
                long t0 = System.nanoTime();
                poll.load(batch, Instant.now().truncatedTo(ChronoUnit.MICROS)).values()
                        .forEach(list -> cache.rememberList(list, stamp));
                LOG.debugf("Reloaded %d poll lists in %d ms; %d more queued", batch.size(),
                        (System.nanoTime() - t0) / 1_000_000, queue.size());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf(e, "Could not reload %d routers' poll lists; their next polls read them", batch.size());
            }
            batch.clear();
        }
    }
}
