package org.hotspotbilling.access;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Grants keep to the table of {@link GrantState} (docs/payments-rules.md "Grant states") on both paths that change
 * them: the entity's checked move, and the sweeper's bulk statement.
 */
@QuarkusTest
class GrantStateMovesTest {

    @Inject
    EntityManager em;

    @Inject
    ExpirySweeper sweeper;

    @Inject
    Db db;

    /** A paid device's grant on the shop's router; answers its id. */
    private long paidGrant(Shop shop, String mac) {
        shop.simulate(shop.paymentFor(mac), 0).statusCode(200);
        return db.queryLong("SELECT id FROM access_grant WHERE router_id = ? AND mac_address = ?", shop.routerId(),
                mac);
    }

    private void revoke(Shop shop, long grantId) {
        shop.owner().withJwt().post("/routers/" + shop.routerId() + "/access/" + grantId + "/revoke/").then()
                .statusCode(200);
    }

    private String state(long grantId) {
        return db.queryString("SELECT state FROM access_grant WHERE id = ?", grantId);
    }

    @Test
    void aForbiddenMoveOfTheEntityIsRefusedAndChangesNothing() {
        Shop shop = Shop.simulated();
        long grant = paidGrant(shop, Shop.randomMac());
        revoke(shop, grant);
        String before = db.rowJson("access_grant", grant);

        QuarkusTransaction.requiringNew().run(() -> {
            AccessGrant revoked = em.find(AccessGrant.class, grant);
            for (GrantState next : List.of(GrantState.on_router, GrantState.revoked, GrantState.expired)) {
                IllegalStateException refused = assertThrows(IllegalStateException.class,
                        () -> revoked.moveTo(next, Instant.now()));
                assertTrue(refused.getMessage().contains("from revoked to " + next), refused.getMessage());
            }
            assertEquals(GrantState.revoked, revoked.state());
        });
        assertEquals(before, db.rowJson("access_grant", grant));
    }

    @Test
    void theSweepExpiresOnlyLiveGrants() {
        Shop shop = Shop.simulated();
        long revoked = paidGrant(shop, Shop.randomMac());
        long live = paidGrant(shop, Shop.randomMac());
        revoke(shop, revoked);
        db.update("UPDATE access_grant SET expires_at = now() - interval '1 minute' WHERE router_id = ?",
                shop.routerId());
        String revokedBefore = db.rowJson("access_grant", revoked);

        sweeper.sweep(Instant.now());
        assertEquals(revokedBefore, db.rowJson("access_grant", revoked), "revoked → expired is not a move");
        assertEquals("expired", state(live));

        String expiredBefore = db.rowJson("access_grant", live);
        sweeper.sweep(Instant.now());
        assertEquals(expiredBefore, db.rowJson("access_grant", live), "expired → expired is not a move");
    }
}
