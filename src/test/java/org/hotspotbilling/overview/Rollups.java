package org.hotspotbilling.overview;

import org.hotspotbilling.testing.Db;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The overview's daily rollups compared with what the rows say, for one owner (docs/overview.md "Rollups"). */
final class Rollups {

    private Rollups() {
    }

    /** Every rollup of the owner holds exactly the sums of the owner's payments and callbacks, day by day. */
    static void assertMatchRows(Db db, long ownerId) {
        assertEquals(0, differences(db, "SELECT day, status, provider, currency, result_code, sum(payments), "
                + "sum(amount) FROM overview_payment_day WHERE owner_id = ? GROUP BY 1, 2, 3, 4, 5 "
                + "HAVING sum(payments) <> 0",
                "SELECT (created_at AT TIME ZONE 'UTC')::date, status, payment_provider, currency, CASE WHEN status = "
                + "'completed' THEN '' ELSE coalesce(failure_code, '') END, count(*), sum(amount) FROM payment "
                + "WHERE owner_id = ? AND status IN ('completed', 'failed', 'cancelled') GROUP BY 1, 2, 3, 4, 5",
                ownerId), "payments by day");
        assertEquals(0, differences(db, "SELECT day, bucket, sum(payments) FROM overview_completion_day "
                + "WHERE owner_id = ? GROUP BY 1, 2 HAVING sum(payments) <> 0",
                "SELECT (created_at AT TIME ZONE 'UTC')::date, overview_bucket(extract(epoch FROM completed_at "
                + "- created_at)), count(*) FROM payment WHERE owner_id = ? AND status = 'completed' "
                + "AND completed_at IS NOT NULL GROUP BY 1, 2", ownerId), "completion times by day");
        assertEquals(0, differences(db, "SELECT day, provider, sum(callbacks) FROM overview_callback_day "
                + "WHERE owner_id = ? GROUP BY 1, 2 HAVING sum(callbacks) <> 0",
                "SELECT (e.created_at AT TIME ZONE 'UTC')::date, p.payment_provider, count(*) FROM payment_event e "
                + "JOIN payment p ON p.id = e.payment_id WHERE p.owner_id = ? AND e.type = 'webhook_received' "
                + "GROUP BY 1, 2", ownerId), "callbacks by day");
    }

    private static long differences(Db db, String rollup, String rows, long ownerId) {
        return db.queryLong("SELECT count(*) FROM ((" + rollup + " EXCEPT " + rows + ") UNION ALL (" + rows
                + " EXCEPT " + rollup + ")) d", ownerId, ownerId, ownerId, ownerId);
    }
}
