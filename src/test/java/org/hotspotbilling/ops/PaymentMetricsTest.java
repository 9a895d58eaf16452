package org.hotspotbilling.ops;

import io.quarkus.test.junit.QuarkusTest;
import org.hotspotbilling.testing.Scrape;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Payments by provider, mode and outcome, and the time to complete, move when a payment is created and settled, and
 * once per payment whatever repeats the settlement (docs/metrics.md).
 */
@QuarkusTest
class PaymentMetricsTest {

    private static final String[] SIMULATED = {"provider", "instasend", "mode", "simulator"};

    private static double payments(Scrape scrape, String outcome) {
        return scrape.value("hotspot_payments_total", "provider", "instasend", "mode", "simulator", "outcome", outcome);
    }

    @Test
    void aCompletedPaymentIsCountedOnceWithItsTimeToComplete() {
        Shop shop = Shop.simulated();
        Scrape before = Scrape.now();
        String id = shop.paymentFor(Shop.randomMac());
        Scrape initiated = Scrape.now();
        assertEquals(payments(before, "initiated") + 1, payments(initiated, "initiated"));
        assertEquals(payments(before, "succeeded"), payments(initiated, "succeeded"));

        shop.simulate(id, 0).statusCode(200);
        shop.simulate(id, 0).statusCode(200);
        shop.checkStatus(id).statusCode(200);
        Scrape after = Scrape.now();
        assertEquals(payments(before, "succeeded") + 1, payments(after, "succeeded"));
        assertEquals(before.value("hotspot_payment_completion_seconds_count", SIMULATED) + 1,
                after.value("hotspot_payment_completion_seconds_count", SIMULATED));
        assertTrue(after.value("hotspot_payment_completion_seconds_sum", SIMULATED)
                > before.value("hotspot_payment_completion_seconds_sum", SIMULATED));
        // Completed within a minute: counted in the 60 s bucket and every larger one.
        assertEquals(before.value("hotspot_payment_completion_seconds_bucket", "provider", "instasend", "mode",
                "simulator", "le", "60.0") + 1, after.value("hotspot_payment_completion_seconds_bucket", "provider",
                "instasend", "mode", "simulator", "le", "60.0"));
    }

    @Test
    void aFailureAndALateSuccessAreCountedAsSuch() {
        Shop shop = Shop.simulated();
        Scrape before = Scrape.now();
        String id = shop.paymentFor(Shop.randomMac());
        shop.simulate(id, 1032).statusCode(200);
        Scrape failed = Scrape.now();
        assertEquals(payments(before, "failed") + 1, payments(failed, "failed"));

        // The money arrived after all: completed as a late success, not counted as an ordinary completion.
        shop.simulate(id, 0).statusCode(200);
        Scrape late = Scrape.now();
        assertEquals(payments(before, "late_success") + 1, payments(late, "late_success"));
        assertEquals(payments(before, "succeeded"), payments(late, "succeeded"));
        assertEquals(before.value("hotspot_payment_completion_seconds_count", SIMULATED),
                late.value("hotspot_payment_completion_seconds_count", SIMULATED));
    }
}
