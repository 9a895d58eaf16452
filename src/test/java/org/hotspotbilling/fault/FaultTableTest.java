package org.hotspotbilling.fault;

import org.hotspotbilling.fault.FaultTable.Evidence;
import org.hotspotbilling.fault.FaultTable.Grant;
import org.hotspotbilling.fault.FaultTable.Payment;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fault run's verdict: each line of the promise breaks on the evidence that breaks it, and only then. */
class FaultTableTest {

    private static final Instant PAID = Instant.parse("2026-12-02T10:00:00Z");
    private static final Instant DONE = PAID.plusMillis(800);
    private static final Duration HOUR = Duration.ofHours(1);
    private static final String MAC_1 = "02:FA:00:00:00:01";
    private static final String MAC_2 = "02:FA:00:00:00:02";

    private static Evidence kept() {
        return new Evidence(Map.of("p1", PAID), Set.of("p1", "p2"), Map.of(), Map.of(
                "p1", new Payment("p1", "completed", MAC_1, 7, DONE, null),
                "p2", new Payment("p2", "failed", MAC_2, 7, null, null)),
                Set.of(), List.of(), List.of(new Grant(7, MAC_1, "on_router", DONE.plus(HOUR), "p1")),
                Map.of(7L, Set.of(MAC_1)), Map.of(7L, Map.of(MAC_1, PAID.plusMillis(1200))), Map.of(7L, "push"), HOUR);
    }

    @Test
    void aRunThatKeptThePromiseHasNoBrokenLineAndItsLatency() {
        FaultTable table = new FaultTable(kept());
        assertEquals(List.of(), table.violations());
        assertTrue(table.markdown().contains("| paid → on router, p50 / p99 / max | 1,200 / 1,200 / 1,200 ms |"),
                table.markdown());
    }

    @Test
    void aPaymentPaidAtIntaSendButFailedHereBreaksThePromise() {
        Evidence e = kept();
        Map<String, Instant> paid = Map.of("p1", PAID, "p2", PAID);
        FaultTable table = new FaultTable(new Evidence(paid, e.invoiced(), e.pagesWithoutPayment(), e.payments(), Set.of(), List.of(), e.grants(),
                e.onRouters(), e.firstSeen(), e.deliveries(), HOUR));
        assertTrue(table.violations().contains("paid but failed: 1, expected 0"), table.violations().toString());
        assertTrue(table.suspects.contains("p2"));
    }

    @Test
    void aGrantExtendedByASecondCompletionCountsAsCompletedTwice() {
        Evidence e = kept();
        FaultTable table = new FaultTable(new Evidence(e.paid(), e.invoiced(), e.pagesWithoutPayment(), e.payments(), Set.of(), List.of(),
                List.of(new Grant(7, MAC_1, "on_router", DONE.plus(HOUR.multipliedBy(2)), "p1")), e.onRouters(),
                e.firstSeen(), e.deliveries(), HOUR));
        assertTrue(table.violations().contains("completed twice: 1, expected 0"), table.violations().toString());
    }

    @Test
    void aMacOnTheRouterWithoutALiveGrantAndAGrantStillPendingAreBothBroken() {
        Evidence e = kept();
        FaultTable table = new FaultTable(new Evidence(e.paid(), e.invoiced(), e.pagesWithoutPayment(), e.payments(), Set.of(), List.of(),
                List.of(new Grant(7, MAC_1, "pending", DONE.plus(HOUR), "p1")), Map.of(7L, Set.of(MAC_1, MAC_2)),
                e.firstSeen(), e.deliveries(), HOUR));
        assertTrue(table.violations().stream().anyMatch(v -> v.startsWith("paid MACs on the routers: 2")),
                table.violations().toString());
        assertTrue(table.violations().stream().anyMatch(v -> v.startsWith("grants on their router still pending")),
                table.violations().toString());
    }

    @Test
    void aCompletionWithoutAnyPaymentAtIntaSendIsBroken() {
        Evidence e = kept();
        FaultTable table = new FaultTable(new Evidence(Map.of(), e.invoiced(), e.pagesWithoutPayment(), e.payments(), Set.of(), List.of(), e.grants(),
                e.onRouters(), e.firstSeen(), e.deliveries(), HOUR));
        assertTrue(table.violations().contains("completed without a payment at IntaSend: 1, expected 0"),
                table.violations().toString());
    }

    @Test
    void anOpenPaymentHandedToTheOwnerIsKeptOnlyWhenIntaSendNeverMadeItsInvoice() {
        Evidence e = kept();
        Map<String, Payment> payments = Map.of("p1", e.payments().get("p1"),
                "p3", new Payment("p3", "processing", MAC_2, 7, null, "The provider never told us an invoice"));
        FaultTable noInvoice = new FaultTable(new Evidence(e.paid(), Set.of("p1"), Map.of(), payments, Set.of(), List.of(),
                e.grants(), e.onRouters(), e.firstSeen(), e.deliveries(), HOUR));
        assertEquals(List.of(), noInvoice.violations());
        assertTrue(noInvoice.markdown().contains("| open, handed to the owner (IntaSend never made their invoice) | 1 |"),
                noInvoice.markdown());

        FaultTable invoiced = new FaultTable(new Evidence(e.paid(), Set.of("p1", "p3"), Map.of(), payments, Set.of(),
                List.of(), e.grants(), e.onRouters(), e.firstSeen(), e.deliveries(), HOUR));
        assertEquals(List.of("open after the settle window: 1, expected 0"), invoiced.violations());
        assertTrue(invoiced.suspects.contains("p3"));
    }

    @Test
    void anOpenPaymentNobodyWasToldAboutIsBrokenEvenWithoutAnInvoice() {
        Evidence e = kept();
        Map<String, Payment> payments = Map.of("p1", e.payments().get("p1"),
                "p3", new Payment("p3", "pending", MAC_2, 7, null, null));
        FaultTable table = new FaultTable(new Evidence(e.paid(), Set.of("p1"), Map.of(), payments, Set.of(), List.of(),
                e.grants(), e.onRouters(), e.firstSeen(), e.deliveries(), HOUR));
        assertEquals(List.of("open after the settle window: 1, expected 0"), table.violations());
    }

    @Test
    void aPageThatNeverGotItsPaymentIsBrokenAndNamesThePaymentIntaSendSaw() {
        Evidence e = kept();
        FaultTable table = new FaultTable(new Evidence(e.paid(), e.invoiced(), Map.of(37, "p1"), e.payments(),
                Set.of(), List.of(), e.grants(), e.onRouters(), e.firstSeen(), e.deliveries(), HOUR));
        assertTrue(table.violations().contains("pages that never got their payment from initiate: 1, expected 0"),
                table.violations().toString());
        assertTrue(table.suspects.contains("p1"));
    }
}
