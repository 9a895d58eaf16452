package org.hotspotbilling.fault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Every random choice of a fault run, drawn from one seed before the run starts: what each customer does, how
 * IntaSend answers their push, what happens to each webhook, when the status API and the routers are down, and
 * which instance is killed when. Choices made while the run goes (which instance a poll goes to, whether a status
 * call fails) come from generators seeded here too, one per customer and invoice, so a failing run replays with
 * the same faults; only thread timing differs between two runs of one seed.
 */
final class FaultPlan {

    /** What the customer does with the M-Pesa prompt (Daraja result codes for the failures). */
    enum Outcome {
        PAYS, CANCELS, TIMES_OUT
    }

    /** How IntaSend answers the STK push, and whether it created the invoice (and so prompted the phone) anyway. */
    enum PushFault {
        NONE(true), ANSWER_TOO_LATE(true), ERROR_AFTER_INVOICE(true), ERROR_BEFORE_INVOICE(false),
        RESET_AFTER_INVOICE(true), RESET_BEFORE_INVOICE(false);

        final boolean createsInvoice;

        PushFault(boolean createsInvoice) {
            this.createsInvoice = createsInvoice;
        }
    }

    /** What happens to one webhook delivery (IntaSend sends one per state change). */
    enum Fate {
        DELIVERED, LOST, DUPLICATED, DELAYED_PAST_GIVE_UP
    }

    /** One webhook: the state it reports, when it is sent (after the invoice was created), and to which instance. */
    record Webhook(String state, Fate fate, long afterMillis, int instance) {
    }

    /** A time window of the run, in milliseconds from its start. */
    record Window(long fromMillis, long toMillis) {
        boolean contains(long millis) {
            return millis >= fromMillis && millis < toMillis;
        }
    }

    /**
     * One customer's purchase: when it starts (ms from the run's start), who and on which router, what they do
     * with the prompt and after how long, how the push is answered, the invoice's webhooks, whether their captive
     * page stays open to poll, and seeds for the choices made while the run goes.
     */
    record Purchase(int index, long atMillis, String phone, String mac, int router, int instance, Outcome outcome,
            long decideAfterMillis, PushFault pushFault, int pushErrorStatus, boolean amountsAsNumbers,
            List<Webhook> webhooks, boolean pageOpen, long customerSeed, long statusSeed) {

        /** The number as IntaSend echoes it (and as the fake looks purchases up): 2547XXXXXXXX. */
        String msisdn() {
            return "254" + phone.substring(1);
        }

        /** The state a finished invoice ends in. */
        String finalState() {
            return outcome == Outcome.PAYS ? "COMPLETE" : "FAILED";
        }
    }

    /** A router's outage: push routers answer 503 (or hang past our read timeout); poll routers stop polling. */
    record RouterOutage(int router, Window window, boolean hangs) {
    }

    final long seed;
    final List<Purchase> purchases;
    final int killedInstance;
    final long killAtMillis;
    final long restartAtMillis;
    final List<Window> statusOutages;
    final List<RouterOutage> routerOutages;

    private FaultPlan(long seed, List<Purchase> purchases, int killedInstance, long killAtMillis,
            long restartAtMillis, List<Window> statusOutages, List<RouterOutage> routerOutages) {
        this.seed = seed;
        this.purchases = purchases;
        this.killedInstance = killedInstance;
        this.killAtMillis = killAtMillis;
        this.restartAtMillis = restartAtMillis;
        this.statusOutages = statusOutages;
        this.routerOutages = routerOutages;
    }

    /**
     * Draws a run of {@code count} purchases arriving at {@code perSecond} on {@code routers} routers; webhooks
     * delayed "past give-up" arrive after {@code giveUpAfter}.
     */
    static FaultPlan draw(long seed, int count, double perSecond, int routers, Duration giveUpAfter) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom global = root.split();
        long spanMillis = (long) (count * 1000 / perSecond);
        List<Purchase> purchases = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            purchases.add(purchase(i, root.split(), perSecond, routers, giveUpAfter.toMillis()));
        }
        int killed = global.nextInt(2);
        long killAt = (long) (spanMillis * between(global, 0.35, 0.6));
        long restartAt = killAt + (long) between(global, 3_000, 8_000);
        // One status-API outage per 50 s of purchases (at least two); per router, one likely outage in each 50 s
        // (at most 15 s long and in the first 70 % of its 50 s, so a router's outages never overlap).
        List<Window> statusOutages = new ArrayList<>();
        for (int i = 0; i < Math.max(2, spanMillis / 50_000); i++) {
            long from = (long) (spanMillis * between(global, 0.1, 0.9));
            statusOutages.add(new Window(from, from + (long) between(global, 5_000, 12_000)));
        }
        List<RouterOutage> routerOutages = new ArrayList<>();
        for (int r = 0; r < routers; r++) {
            long outages = Math.max(1, spanMillis / 50_000);
            for (int i = 0; i < outages; i++) {
                if (global.nextDouble() < 0.75) {
                    long from = (long) (spanMillis * (i + between(global, 0.1, 0.7)) / outages);
                    routerOutages.add(new RouterOutage(r, new Window(from, from + (long) between(global, 5_000,
                            15_000)), global.nextBoolean()));
                }
            }
        }
        return new FaultPlan(seed, List.copyOf(purchases), killed, killAt, restartAt, List.copyOf(statusOutages),
                List.copyOf(routerOutages));
    }

    private static Purchase purchase(int i, SplittableRandom random, double perSecond, int routers,
            long giveUpMillis) {
        long slot = (long) (1000 / perSecond);
        long at = i * slot + random.nextLong(Math.max(1, slot));
        double o = random.nextDouble();
        Outcome outcome = o < 0.70 ? Outcome.PAYS : o < 0.85 ? Outcome.CANCELS : Outcome.TIMES_OUT;
        long decide = switch (outcome) {
            case PAYS -> (long) between(random, 3_000, 12_000);
            case CANCELS -> (long) between(random, 2_000, 8_000);
            case TIMES_OUT -> (long) between(random, 8_000, 15_000);
        };
        double p = random.nextDouble();
        PushFault push = p < 0.70 ? PushFault.NONE : p < 0.78 ? PushFault.ANSWER_TOO_LATE
                : p < 0.84 ? PushFault.ERROR_AFTER_INVOICE : p < 0.90 ? PushFault.ERROR_BEFORE_INVOICE
                : p < 0.95 ? PushFault.RESET_AFTER_INVOICE : PushFault.RESET_BEFORE_INVOICE;
        int errorStatus = new int[] {500, 502, 503}[random.nextInt(3)];
        String finalState = outcome == Outcome.PAYS ? "COMPLETE" : "FAILED";
        long processingAt = Math.max(500, decide - (long) between(random, 500, 1_500));
        boolean reordered = random.nextDouble() < 0.2;
        List<Webhook> webhooks = new ArrayList<>(List.of(
                webhook("PENDING", (long) between(random, 100, 400), random, giveUpMillis),
                webhook("PROCESSING", reordered ? decide + (long) between(random, 200, 2_000) : processingAt, random,
                        giveUpMillis),
                webhook(finalState, decide, random, giveUpMillis)));
        if (webhooks.stream().allMatch(w -> w.fate() == Fate.LOST)) {
            // IntaSend retries a delivery until it gets a 2xx; a run where it never reaches us about an invoice whose
            // id the push answer did not carry either is one no design can settle (IntaSend offers no lookup by
            // api_ref). The final word still comes, late.
            Webhook last = webhooks.remove(2);
            webhooks.add(new Webhook(last.state(), Fate.DELAYED_PAST_GIVE_UP,
                    decide + giveUpMillis + (long) between(random, 2_000, 8_000), last.instance()));
        }
        String phone = "07" + String.format("%08d", 12_000_000 + i);
        String mac = String.format("02:FA:%02X:%02X:%02X:%02X", (i >> 24) & 0xFF, (i >> 16) & 0xFF, (i >> 8) & 0xFF,
                i & 0xFF);
        return new Purchase(i, at, phone, mac, random.nextInt(routers), random.nextInt(2), outcome, decide, push,
                errorStatus, random.nextBoolean(), List.copyOf(webhooks), random.nextDouble() < 0.6,
                random.nextLong(), random.nextLong());
    }

    private static Webhook webhook(String state, long at, SplittableRandom random, long giveUpMillis) {
        double f = random.nextDouble();
        Fate fate = f < 0.12 ? Fate.LOST : f < 0.27 ? Fate.DUPLICATED : f < 0.35 ? Fate.DELAYED_PAST_GIVE_UP
                : Fate.DELIVERED;
        long sentAt = fate == Fate.DELAYED_PAST_GIVE_UP ? at + giveUpMillis + (long) between(random, 2_000, 8_000) : at;
        return new Webhook(state, fate, sentAt, random.nextInt(2));
    }

    private static double between(SplittableRandom random, double from, double to) {
        return from + random.nextDouble() * (to - from);
    }

    /** The last moment the plan itself makes something happen (a decision, a webhook), in ms from the start. */
    long lastPlannedMillis() {
        return purchases.stream().mapToLong(p -> p.atMillis() + Math.max(p.decideAfterMillis(),
                p.webhooks().stream().mapToLong(Webhook::afterMillis).max().orElse(0))).max().orElse(0);
    }

    /** The purchases' start of the last one, in ms from the run's start. */
    long lastPurchaseMillis() {
        return purchases.stream().mapToLong(Purchase::atMillis).max().orElse(0);
    }

    boolean statusDown(long millis) {
        return statusOutages.stream().anyMatch(w -> w.contains(millis));
    }

    /** One line per global choice, printed with the seed. */
    String describe() {
        StringBuilder text = new StringBuilder();
        text.append("seed ").append(seed).append(": ").append(purchases.size()).append(" purchases over ")
                .append(lastPurchaseMillis() / 1000).append(" s; instance ").append(name(killedInstance))
                .append(" killed at ").append(killAtMillis / 1000.0).append(" s, restarted at ")
                .append(restartAtMillis / 1000.0).append(" s; status API down ");
        statusOutages.forEach(w -> text.append(String.format("[%.1f–%.1f s] ", w.fromMillis() / 1000.0,
                w.toMillis() / 1000.0)));
        text.append("; router outages ");
        routerOutages.forEach(o -> text.append(String.format("r%d %s [%.1f–%.1f s] ", o.router(),
                o.hangs() ? "hangs" : "503/silent", o.window().fromMillis() / 1000.0, o.window().toMillis() / 1000.0)));
        return text.toString();
    }

    static String name(int instance) {
        return instance == 0 ? "A" : "B";
    }
}
