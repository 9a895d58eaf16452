package org.hotspotbilling.work;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.persistence.EntityManager;

import java.time.Instant;

/**
 * Retention deletes in batches, each in a transaction of its own, so that no delete holds many rows for long: the
 * pruning of push jobs, webhook events and idempotency keys.
 */
public final class BatchedDelete {

    /** Rows one batch deletes at most. */
    static final int BATCH = 5_000;

    private BatchedDelete() {
    }

    /**
     * Runs {@code sql}, a DELETE whose {@code ?1} is the cutoff and whose {@code ?2} limits the rows (or groups of
     * rows) of one batch, until a batch deletes fewer rows than that; answers how many rows were deleted in all.
     */
    public static int before(EntityManager em, String sql, Instant cutoff) {
        int total = 0;
        int deleted;
        do {
            deleted = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(sql)
                    .setParameter(1, cutoff).setParameter(2, BATCH).executeUpdate());
            total += deleted;
        } while (deleted >= BATCH);
        return total;
    }
}
