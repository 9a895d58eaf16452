package org.hotspotbilling.fault;

import org.hotspotbilling.fault.FaultPlan.Fate;
import org.hotspotbilling.fault.FaultPlan.Purchase;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fault run's plan: replayable from its seed, and never a fault no design could survive. */
class FaultPlanTest {

    private static final Duration GIVE_UP = Duration.ofSeconds(25);

    @Test
    void oneSeedDrawsTheSameRunTwice() {
        FaultPlan first = FaultPlan.draw(42, 300, 5, 4, GIVE_UP);
        FaultPlan again = FaultPlan.draw(42, 300, 5, 4, GIVE_UP);
        assertEquals(first.purchases, again.purchases);
        assertEquals(first.describe(), again.describe());
        assertNotEquals(first.describe(), FaultPlan.draw(43, 300, 5, 4, GIVE_UP).describe());
    }

    @Test
    void everyInvoiceIsNamedToUsByAtLeastOneWebhook() {
        for (long seed = 0; seed < 20; seed++) {
            for (Purchase p : FaultPlan.draw(seed, 500, 5, 4, GIVE_UP).purchases) {
                assertTrue(p.webhooks().stream().anyMatch(w -> w.fate() != Fate.LOST), p.toString());
            }
        }
    }

    @Test
    void delayedWebhooksArriveAfterTheAppGaveUpAndPhonesAndMacsAreTheCustomersOwn() {
        FaultPlan plan = FaultPlan.draw(7, 1000, 5, 4, GIVE_UP);
        Set<String> phones = new HashSet<>();
        Set<String> macs = new HashSet<>();
        for (Purchase p : plan.purchases) {
            p.webhooks().stream().filter(w -> w.fate() == Fate.DELAYED_PAST_GIVE_UP)
                    .forEach(w -> assertTrue(w.afterMillis() > GIVE_UP.toMillis(), p.toString()));
            assertTrue(phones.add(p.phone()) && macs.add(p.mac()), p.toString());
            assertTrue(p.phone().matches("07\\d{8}") && p.mac().matches("02(:[0-9A-F]{2}){5}"), p.toString());
        }
        assertTrue(plan.killAtMillis < plan.restartAtMillis && plan.restartAtMillis < plan.lastPurchaseMillis());
    }
}
