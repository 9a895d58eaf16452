package org.hotspotbilling.access;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Where a device's access on a router stands; the constants are the JSON and database values. Which state may follow
 * which is the one table below (docs/payments-rules.md "Grant states"): {@link AccessGrant#moveTo} refuses anything
 * else, and each statement that changes states in bulk selects only rows whose state may make its move.
 */
public enum GrantState {
    /** Paid for, not yet confirmed on the router. */
    pending,
    /** The router has it: a poll report or fetch of a list that carried it, or a push pass that applied it. */
    on_router,
    /** Ended by the owner, or by a move of its time to another MAC; also the state a new row starts in. */
    revoked,
    /** Its time is up on our clock. */
    expired;

    /** Pending or on the router: the device may be let through until the grant's expiry. */
    public static final Set<GrantState> LIVE = EnumSet.of(pending, on_router);

    private static final Map<GrantState, Set<GrantState>> NEXT = Map.of(
            // pending → pending: a purchase or a move onto a grant the router does not have yet re-queues it.
            pending, EnumSet.of(pending, on_router, revoked, expired),
            // → pending: more time or a faster rate, which the router must get again.
            on_router, EnumSet.of(pending, revoked, expired),
            // An ended grant only re-opens, by a new purchase or by time moved onto its MAC.
            revoked, EnumSet.of(pending),
            expired, EnumSet.of(pending));

    public boolean live() {
        return LIVE.contains(this);
    }

    public boolean canMoveTo(GrantState next) {
        return NEXT.get(this).contains(next);
    }
}
