package org.hotspotbilling.work;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;

/**
 * Runs the work of a PostgreSQL outbox shared by instances (router pushes, owner webhooks): one dispatcher thread
 * claims as many due items as there are idle workers (the claim leases them in the database, so other instances
 * skip them) and hands each to a pool of platform threads, which block on the network for up to their timeouts and
 * never inside a database transaction. A wake while the dispatcher is already asked folds into that one; a finished
 * item wakes it again, and the owner's scheduled sweep wakes it for what other instances queued or left behind.
 * Work cut short by a stop or a crash is taken over by whichever instance claims it after its lease.
 */
public final class LeasedDispatcher {

    private static final Logger LOG = Logger.getLogger(LeasedDispatcher.class);

    private final String name;
    private final IntFunction<List<Long>> claim;
    private final LongConsumer work;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final AtomicInteger finished = new AtomicInteger();
    private final Semaphore idle;
    private final ExecutorService dispatcher;
    private final ExecutorService pool;

    /**
     * Starts the threads and looks for due work at once (work left by a crash or a stop is picked up now, not at
     * the first sweep).
     *
     * @param name    thread names: {@code name-dispatch}, {@code name-1} …
     * @param workers items worked on at the same time
     * @param claim   leases up to that many due items and answers their ids (empty: nothing due)
     * @param work    works on one claimed item; must not throw (a throw is logged, the lease then lets it retry)
     */
    public LeasedDispatcher(String name, int workers, IntFunction<List<Long>> claim, LongConsumer work) {
        this.name = name;
        this.claim = claim;
        this.work = work;
        AtomicInteger n = new AtomicInteger();
        this.idle = new Semaphore(workers);
        this.dispatcher = Executors.newSingleThreadExecutor(r -> daemon(r, name + "-dispatch"));
        this.pool = Executors.newFixedThreadPool(workers, r -> daemon(r, name + "-" + n.incrementAndGet()));
        wake();
    }

    /** Asks the dispatcher to look for due work; calls made while it is already asked fold into one. */
    public void wake() {
        if (!wakeQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            dispatcher.execute(() -> {
                wakeQueued.set(false);
                dispatch();
            });
        } catch (RejectedExecutionException e) {
            wakeQueued.set(false); // shutting down
        }
    }

    /** Items worked on since start (tests wait on it). */
    public int finished() {
        return finished.get();
    }

    /** Stops claiming, and waits up to {@code grace} for the items being worked on. */
    public void stop(Duration grace) throws InterruptedException {
        dispatcher.shutdownNow();
        pool.shutdown();
        pool.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void dispatch() {
        try {
            while (true) {
                int free = idle.availablePermits();
                if (free == 0) {
                    return; // a finishing item wakes the dispatcher again
                }
                List<Long> claimed = claim.apply(free);
                if (claimed.isEmpty()) {
                    return;
                }
                for (long id : claimed) {
                    idle.acquireUninterruptibly();
                    pool.execute(() -> {
                        try {
                            work.accept(id);
                        } catch (RuntimeException e) {
                            LOG.errorf(e, "%s: item %d failed unexpectedly; retried after its lease", name, id);
                        } finally {
                            idle.release();
                            finished.incrementAndGet();
                            wake();
                        }
                    });
                }
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s: dispatch failed; the next sweep tries again", name);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
