package org.hotspotbilling.access;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static org.hotspotbilling.access.GrantState.expired;
import static org.hotspotbilling.access.GrantState.on_router;
import static org.hotspotbilling.access.GrantState.pending;
import static org.hotspotbilling.access.GrantState.revoked;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The table of docs/payments-rules.md "Grant states": which state may follow which, every pair. */
class GrantStateTest {

    private static final Map<GrantState, Set<GrantState>> ALLOWED = Map.of(
            pending, EnumSet.of(pending, on_router, revoked, expired),
            on_router, EnumSet.of(pending, revoked, expired),
            revoked, EnumSet.of(pending),
            expired, EnumSet.of(pending));

    @Test
    void everyPairIsAllowedOrRefusedAsTheTableSays() {
        for (GrantState from : GrantState.values()) {
            for (GrantState to : GrantState.values()) {
                assertEquals(ALLOWED.get(from).contains(to), from.canMoveTo(to), from + " → " + to);
            }
        }
    }

    @Test
    void onlyPendingAndOnRouterAreLive() {
        for (GrantState state : GrantState.values()) {
            assertEquals(state == pending || state == on_router, state.live(), state.name());
        }
    }
}
