package org.hotspotbilling.fault;

import com.fasterxml.jackson.databind.JsonNode;
import org.hotspotbilling.fault.FaultPlan.Purchase;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One customer on the captive page, as {@code mikrotik-scripts/login.html} behaves: initiate with the device's MAC
 * and an Idempotency-Key kept across retries (so a lost answer never charges twice), then, while the page stays
 * open, check-status every 2 s until the payment failed, or completed with its access {@code on_router} (the page
 * logs the device in then). Whether the M-Pesa prompt is paid is the fake IntaSend's business, not the page's.
 */
final class Customer {

    private static final long POLL_EVERY_MILLIS = 2_000;
    /** The page stops polling after this (the real page after 3 minutes; compressed like the app's timers). */
    private static final long PAGE_PATIENCE_MILLIS = 60_000;
    private static final int INITIATE_TRIES = 15;

    private final Purchase purchase;
    private final long routerId;
    private final long packageId;
    private final String publicKey;
    private final Balancer balancer;
    private final ScheduledExecutorService clock;
    private final long startMillis;
    private final SplittableRandom choices;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private volatile String paymentId;
    private volatile boolean done;
    private volatile boolean gaveUpInitiating;
    private volatile long pollUntil;
    private int initiateTries;
    private volatile long startedLateMillis;

    Customer(Purchase purchase, long routerId, long packageId, String publicKey, Balancer balancer,
            ScheduledExecutorService clock, long startMillis) {
        this.purchase = purchase;
        this.routerId = routerId;
        this.packageId = packageId;
        this.publicKey = publicKey;
        this.balancer = balancer;
        this.clock = clock;
        this.startMillis = startMillis;
        this.choices = new SplittableRandom(purchase.customerSeed());
    }

    void start() {
        later(Math.max(0, startMillis + purchase.atMillis() - System.currentTimeMillis()), this::initiate);
    }

    Purchase purchase() {
        return purchase;
    }

    /** The payment id initiate answered, or null when the customer never got one. */
    String paymentId() {
        return paymentId;
    }

    boolean done() {
        return done;
    }

    /** True when every initiate try went unanswered or was told to retry: the page never got a final answer. */
    boolean gaveUpInitiating() {
        return gaveUpInitiating;
    }

    List<String> log() {
        return List.copyOf(log);
    }

    /** How much later than planned the first initiate went out (a busy machine, not the app). */
    long startedLateMillis() {
        return startedLateMillis;
    }

    private void initiate() {
        if (initiateTries == 0) {
            startedLateMillis = System.currentTimeMillis() - startMillis - purchase.atMillis();
        }
        initiateTries++;
        Map<String, Object> body = Map.of("router_id", routerId, "package_id", packageId, "phone_number",
                purchase.phone(), "amount", "20.00", "payment_method", "mpesa", "mac_address", purchase.mac());
        int instance = initiateTries == 1 ? purchase.instance() : choices.nextInt(2);
        Balancer.Answer answer;
        try {
            answer = balancer.post(instance, "/payments/initiate/", Map.of("X-Public-Key", publicKey,
                    "Idempotency-Key", "fault-" + purchase.index()), body);
        } catch (IOException e) {
            note("initiate → " + FaultPlan.name(instance) + ": " + e.getClass().getSimpleName());
            retryInitiate(1_000, "no answer");
            return;
        }
        note("initiate → " + FaultPlan.name(answer.instance()) + ": " + answer.status());
        if (answer.status() == 201 || answer.status() == 202) {
            paymentId = answer.json().path("payment").path("id").asText();
            if (purchase.pageOpen()) {
                pollUntil = System.currentTimeMillis() + PAGE_PATIENCE_MILLIS;
                later(POLL_EVERY_MILLIS, this::poll);
            } else {
                done = true;
            }
        } else if (answer.status() == 409 || answer.status() >= 500 && answer.status() != 502) {
            // 409: the key's first request is still running (or died with its instance); 5xx: ours, try again.
            retryInitiate(2_000, answer.status() + " " + answer.body());
        } else {
            note("initiate ended: " + answer.body());
            done = true;
        }
    }

    private void retryInitiate(long afterMillis, String why) {
        if (initiateTries >= INITIATE_TRIES) {
            note("gave up initiating after " + initiateTries + " tries: " + why);
            gaveUpInitiating = true;
            done = true;
            return;
        }
        later(afterMillis, this::initiate);
    }

    private void poll() {
        int instance = choices.nextInt(2);
        try {
            Balancer.Answer answer = balancer.post(instance, "/payments/" + paymentId + "/check-status/",
                    Map.of("X-Public-Key", publicKey), null);
            JsonNode json = answer.status() == 200 ? answer.json() : null;
            String status = json == null ? null : json.path("status").asText();
            String access = json == null ? "" : json.path("access").path("state").asText();
            note("check-status → " + FaultPlan.name(answer.instance()) + ": " + answer.status()
                    + (status == null ? "" : " " + status) + (access.isEmpty() ? "" : ", access " + access));
            if ("completed".equals(status) && "on_router".equals(access) || "failed".equals(status)
                    || "cancelled".equals(status)) {
                done = true;
                return;
            }
        } catch (IOException e) {
            note("check-status → " + FaultPlan.name(instance) + ": " + e.getClass().getSimpleName());
        }
        if (System.currentTimeMillis() >= pollUntil) {
            note("page closed, still not settled");
            done = true;
            return;
        }
        later(POLL_EVERY_MILLIS, this::poll);
    }

    /** Runs a step later; an answer the page cannot read ends its visit (noted) rather than leaving it hanging. */
    private void later(long millis, Runnable step) {
        clock.schedule(() -> {
            try {
                step.run();
            } catch (RuntimeException e) {
                note("page gave up on an unreadable answer: " + e.getMessage());
                done = true;
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    private void note(String line) {
        log.add(String.format("%8.3f s  %s", (System.currentTimeMillis() - startMillis) / 1000.0, line));
    }
}
