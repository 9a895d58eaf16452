package org.hotspotbilling.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.hotspotbilling.fault.FaultPlan.Fate;
import org.hotspotbilling.fault.FaultPlan.Purchase;
import org.hotspotbilling.fault.FaultPlan.PushFault;
import org.hotspotbilling.fault.FaultPlan.Webhook;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * IntaSend as the fault run sees it, and the run's source of truth of who paid. Each STK push creates an invoice
 * (unless the plan says the push failed before it), whose customer pays, cancels (1032) or lets it time out (1037)
 * at the planned moment; the status API answers from that state; every state change is sent as a webhook with the
 * owner's challenge to one of the instances, lost, duplicated, delayed past the app's give-up or reordered as the
 * plan says, and retried with growing delays while it gets no 2xx, as IntaSend does (five retries, minutes apart
 * there, seconds apart here). Shapes follow {@code testing/IntaSendFake}: amounts as JSON strings or numbers,
 * both error shapes.
 */
final class FaultyIntaSend implements AutoCloseable {

    private static final String PUSH = "/api/v1/payment/mpesa-stk-push/";
    private static final String STATUS = "/api/v1/payment/status/";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** IntaSend retries a failed delivery 5 more times, after growing delays (compressed from minutes to seconds). */
    private static final long[] RETRY_AFTER_MILLIS = {1_000, 2_000, 4_000, 8_000, 16_000};

    /** One invoice, as IntaSend holds it. */
    static final class Invoice {
        final String id;
        final String apiRef;
        final Purchase purchase;
        final Instant createdAt;
        final SplittableRandom statusFaults;
        volatile String state = "PENDING";
        volatile Instant updatedAt;
        volatile Instant paidAt;

        Invoice(String id, String apiRef, Purchase purchase, Instant createdAt) {
            this.id = id;
            this.apiRef = apiRef;
            this.purchase = purchase;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
            this.statusFaults = new SplittableRandom(purchase.statusSeed());
        }
    }

    /** What the fake did, for the table's footnotes. */
    static final class Counts {
        final AtomicInteger pushes = new AtomicInteger();
        final AtomicInteger pushFaults = new AtomicInteger();
        final AtomicInteger statusCalls = new AtomicInteger();
        final AtomicInteger statusFaults = new AtomicInteger();
        final AtomicInteger statusOutageAnswers = new AtomicInteger();
        final AtomicInteger webhooksSent = new AtomicInteger();
        final AtomicInteger webhooksLost = new AtomicInteger();
        final AtomicInteger webhooksRetried = new AtomicInteger();
        final AtomicInteger webhooksAbandoned = new AtomicInteger();
        final AtomicInteger webhooksSlowerThan1s = new AtomicInteger();
        final AtomicInteger unplannedRequests = new AtomicInteger();
        /** How late the fake's own schedule ran at worst: large values mean the machine, not the app, was slow. */
        final AtomicLong maxLagMillis = new AtomicLong();
    }

    private final FaultPlan plan;
    private final Duration readTimeout;
    private final WireMockServer server;
    private final Map<String, Purchase> byMsisdn = new ConcurrentHashMap<>();
    private final Map<String, Invoice> invoices = new ConcurrentHashMap<>();
    private final Map<String, List<String>> history = new ConcurrentHashMap<>();
    private final Map<Integer, String> refByPurchase = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> pushesByRef = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(4);
    private final AtomicInteger scheduled = new AtomicInteger();
    private final AtomicInteger nextInvoice = new AtomicInteger(1);
    private final HttpClient webhookClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    final Counts counts = new Counts();
    private volatile long startMillis;
    private volatile IntFunction<String> webhookUrl;
    private volatile String challenge;

    FaultyIntaSend(FaultPlan plan, Duration readTimeout) {
        this.plan = plan;
        this.readTimeout = readTimeout;
        plan.purchases.forEach(p -> byMsisdn.put(p.msisdn(), p));
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().disableRequestJournal()
                .containerThreads(64).asynchronousResponseEnabled(true).asynchronousResponseThreads(8)
                .extensions(new Behaviour()));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(404)));
    }

    /** The base URL the app's sandbox credentials are pointed at. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.port() + "/api/v1";
    }

    /** Where webhooks go (the owner's URL on each instance) and with which challenge; the run's clock starts. */
    void start(long startMillis, IntFunction<String> webhookUrl, String challenge) {
        this.startMillis = startMillis;
        this.webhookUrl = webhookUrl;
        this.challenge = challenge;
    }

    /** api_ref → when the customer paid, for every invoice that is COMPLETE. */
    Map<String, Instant> paid() {
        Map<String, Instant> paid = new ConcurrentHashMap<>();
        invoices.values().stream().filter(i -> "COMPLETE".equals(i.state)).forEach(i -> paid.put(i.apiRef, i.paidAt));
        return paid;
    }

    /** api_refs IntaSend made an invoice for (a push that failed before it made one left none). */
    Set<String> invoiced() {
        Set<String> refs = new HashSet<>();
        invoices.values().forEach(i -> refs.add(i.apiRef));
        return refs;
    }

    /** api_refs the app sent more than one STK push for (the customer may be prompted, and charged, twice). */
    List<String> pushedTwice() {
        return pushesByRef.entrySet().stream().filter(e -> e.getValue().get() > 1).map(Map.Entry::getKey).toList();
    }

    /** The api_ref (our payment id) the purchase's first push named, or null when none reached IntaSend. */
    String apiRefOf(int purchaseIndex) {
        return refByPurchase.get(purchaseIndex);
    }

    int invoiceCount() {
        return invoices.size();
    }

    /** True when no state change or webhook delivery is still to come. */
    boolean quiet() {
        return scheduled.get() == 0;
    }

    /** What happened to the invoices of this api_ref, one line each, in ms from the run's start. */
    List<String> historyOf(String apiRef) {
        return history.getOrDefault(apiRef, List.of());
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        server.stop();
    }

    private void note(String apiRef, String line) {
        history.computeIfAbsent(apiRef, r -> Collections.synchronizedList(new ArrayList<>()))
                .add(String.format("%8.3f s  %s", (System.currentTimeMillis() - startMillis) / 1000.0, line));
    }

    private void later(long delayMillis, Runnable task) {
        scheduled.incrementAndGet();
        long due = System.currentTimeMillis() + Math.max(0, delayMillis);
        scheduler.schedule(() -> {
            try {
                counts.maxLagMillis.accumulateAndGet(System.currentTimeMillis() - due, Math::max);
                task.run();
            } catch (RuntimeException e) {
                e.printStackTrace();
            } finally {
                scheduled.decrementAndGet();
            }
        }, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
    }

    /** Answers every request: the one place the fake's behaviour is decided. */
    private final class Behaviour implements ResponseDefinitionTransformerV2 {
        @Override
        public ResponseDefinition transform(ServeEvent event) {
            Request request = event.getRequest();
            JsonNode body;
            try {
                body = JSON.readTree(request.getBodyAsString());
            } catch (IOException e) {
                body = null;
            }
            if (!"POST".equals(request.getMethod().getName()) || body == null || !body.isObject()) {
                counts.unplannedRequests.incrementAndGet();
                return notFound();
            }
            return switch (request.getUrl()) {
                case PUSH -> push(request, body).build();
                case STATUS -> status(body).build();
                default -> {
                    counts.unplannedRequests.incrementAndGet();
                    yield notFound();
                }
            };
        }

        @Override
        public String getName() {
            return "faulty-intasend";
        }
    }

    private static ResponseDefinition notFound() {
        return json(404, "{\"type\":\"client_error\",\"errors\":[{\"code\":\"not_found\",\"detail\":\"Not found.\","
                + "\"attr\":null}]}").build();
    }

    private ResponseDefinitionBuilder push(Request request, JsonNode body) {
        counts.pushes.incrementAndGet();
        String bearer = request.getHeader("Authorization");
        if (bearer == null || !bearer.startsWith("Bearer ISSecretKey_test_") || !body.hasNonNull("public_key")) {
            counts.unplannedRequests.incrementAndGet();
            return json(403, "{\"type\":\"client_error\",\"errors\":[{\"code\":\"authentication_failed\","
                    + "\"detail\":\"Invalid api token\",\"attr\":null}]}");
        }
        Purchase purchase = byMsisdn.get(body.path("phone_number").asText());
        String apiRef = body.path("api_ref").asText(null);
        if (purchase == null || apiRef == null) {
            counts.unplannedRequests.incrementAndGet();
            return json(400, "{\"type\":\"validation_error\",\"errors\":[{\"code\":\"invalid\",\"detail\":"
                    + "\"Enter a valid phone number\",\"attr\":\"phone_number\"}]}");
        }
        refByPurchase.putIfAbsent(purchase.index(), apiRef);
        boolean first = pushesByRef.computeIfAbsent(apiRef, r -> new AtomicInteger()).incrementAndGet() == 1;
        // A second push for one payment is the app's fault, never planned: it gets a plain answer (and is counted).
        PushFault fault = first ? purchase.pushFault() : PushFault.NONE;
        Invoice invoice = null;
        if (fault.createsInvoice) {
            invoice = create(purchase, apiRef);
        }
        note(apiRef, "STK push " + (first ? "" : "AGAIN ") + "→ " + fault
                + (invoice == null ? " (no invoice)" : " invoice " + invoice.id));
        if (fault != PushFault.NONE) {
            counts.pushFaults.incrementAndGet();
        }
        return switch (fault) {
            case NONE -> json(200, pushAnswer(invoice));
            case ANSWER_TOO_LATE -> json(200, pushAnswer(invoice))
                    .withFixedDelay((int) readTimeout.toMillis() * 2 + 500);
            case ERROR_AFTER_INVOICE, ERROR_BEFORE_INVOICE -> json(purchase.pushErrorStatus(),
                    "{\"detail\":\"Server Error (" + purchase.pushErrorStatus() + ")\"}");
            case RESET_AFTER_INVOICE, RESET_BEFORE_INVOICE -> aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
        };
    }

    /** Creates the invoice, prompts the phone, and schedules the customer's answer and the webhooks. */
    private Invoice create(Purchase purchase, String apiRef) {
        Invoice invoice = new Invoice(String.format("FR%05d%s", nextInvoice.getAndIncrement(),
                Long.toString(purchase.index(), 36).toUpperCase()), apiRef, purchase, Instant.now());
        invoices.put(invoice.id, invoice);
        long processingAt = Math.min(purchase.webhooks().stream().filter(w -> w.state().equals("PROCESSING"))
                .mapToLong(Webhook::afterMillis).min().orElse(0), purchase.decideAfterMillis() - 1);
        send(invoice, "PENDING", 0);
        later(processingAt, () -> {
            synchronized (invoice) {
                if (invoice.state.equals("PENDING")) {
                    invoice.state = "PROCESSING";
                    invoice.updatedAt = Instant.now();
                }
            }
            send(invoice, "PROCESSING", processingAt);
        });
        later(purchase.decideAfterMillis(), () -> {
            synchronized (invoice) {
                invoice.updatedAt = Instant.now();
                if (purchase.outcome() == FaultPlan.Outcome.PAYS) {
                    invoice.paidAt = invoice.updatedAt; // before the state: paid() reads the state without the lock
                }
                invoice.state = purchase.finalState();
            }
            note(apiRef, "customer " + purchase.outcome() + " → " + invoice.state);
            send(invoice, purchase.finalState(), purchase.decideAfterMillis());
        });
        return invoice;
    }

    /**
     * Schedules the webhooks that report {@code state}, once the invoice is in it ({@code sinceMillis} after its
     * creation): IntaSend sends a state change after making it, never before.
     */
    private void send(Invoice invoice, String state, long sinceMillis) {
        for (Webhook webhook : invoice.purchase.webhooks()) {
            if (!webhook.state().equals(state)) {
                continue;
            }
            long after = webhook.afterMillis() - sinceMillis;
            if (webhook.fate() == Fate.LOST) {
                counts.webhooksLost.incrementAndGet();
                later(after, () -> note(invoice.apiRef, "webhook " + state + " LOST"));
                continue;
            }
            later(after, () -> deliver(invoice, webhook, webhook.instance(), 0));
            if (webhook.fate() == Fate.DUPLICATED) {
                SplittableRandom random = new SplittableRandom(invoice.purchase.statusSeed() ^ webhook.afterMillis());
                later(after + 50 + random.nextLong(3_000), () -> deliver(invoice, webhook, 1 - webhook.instance(), 0));
            }
        }
    }

    /** POSTs one webhook; without a 2xx it is sent again later, to the other instance (a balancer's choice). */
    private void deliver(Invoice invoice, Webhook webhook, int instance, int attempt) {
        String body = webhookBody(invoice, webhook.state());
        HttpRequest request = HttpRequest.newBuilder(URI.create(webhookUrl.apply(instance)))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        counts.webhooksSent.incrementAndGet();
        long started = System.nanoTime();
        // Sent without holding a scheduler thread: slow answers must not delay the customers' payments.
        scheduled.incrementAndGet();
        webhookClient.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
            try {
                boolean delivered = response != null && response.statusCode() / 100 == 2;
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                String outcome = response == null ? cause.getClass().getSimpleName()
                        : response.statusCode() + (delivered ? "" : " " + response.body());
                long millis = (System.nanoTime() - started) / 1_000_000;
                if (millis > 1_000) {
                    counts.webhooksSlowerThan1s.incrementAndGet();
                }
                note(invoice.apiRef, "webhook " + webhook.state() + (webhook.fate() == Fate.DELIVERED ? ""
                        : " (" + webhook.fate() + ")") + (attempt > 0 ? " retry " + attempt : "") + " → "
                        + FaultPlan.name(instance) + ": " + outcome + " in " + millis + " ms");
                if (!delivered) {
                    if (attempt < RETRY_AFTER_MILLIS.length) {
                        counts.webhooksRetried.incrementAndGet();
                        later(RETRY_AFTER_MILLIS[attempt], () -> deliver(invoice, webhook, 1 - instance, attempt + 1));
                    } else {
                        counts.webhooksAbandoned.incrementAndGet();
                    }
                }
            } finally {
                scheduled.decrementAndGet();
            }
        });
    }

    private ResponseDefinitionBuilder status(JsonNode body) {
        counts.statusCalls.incrementAndGet();
        if (!body.hasNonNull("public_key")) {
            counts.unplannedRequests.incrementAndGet();
            return json(401, "{\"detail\":\"Authentication credentials were not provided.\"}");
        }
        Invoice invoice = invoices.get(body.path("invoice_id").asText());
        if (invoice == null) {
            counts.unplannedRequests.incrementAndGet();
            return json(404, "{\"type\":\"client_error\",\"errors\":[{\"code\":\"not_found\",\"detail\":"
                    + "\"Not found.\",\"attr\":null}]}");
        }
        long now = System.currentTimeMillis() - startMillis;
        if (plan.statusDown(now)) {
            counts.statusOutageAnswers.incrementAndGet();
            note(invoice.apiRef, "status → 503 (outage)");
            return json(503, "{\"detail\":\"Service temporarily unavailable\"}");
        }
        double draw;
        synchronized (invoice.statusFaults) {
            draw = invoice.statusFaults.nextDouble();
        }
        String answer;
        String state;
        synchronized (invoice) {
            state = invoice.state;
            answer = invoiceJson(invoice, state, true);
        }
        if (draw < 0.05) {
            counts.statusFaults.incrementAndGet();
            note(invoice.apiRef, "status → 500");
            return json(500, "{\"detail\":\"Server Error (500)\"}");
        }
        if (draw < 0.07) {
            counts.statusFaults.incrementAndGet();
            note(invoice.apiRef, "status → reset");
            return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
        }
        if (draw < 0.09) {
            counts.statusFaults.incrementAndGet();
            note(invoice.apiRef, "status → " + state + ", too late");
            return json(200, answer).withFixedDelay((int) readTimeout.toMillis() * 2 + 500);
        }
        note(invoice.apiRef, "status → " + state);
        return json(200, answer);
    }

    private String pushAnswer(Invoice invoice) {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("id", invoice.id + "-session");
        answer.set("invoice", JSON.valueToTree(invoiceFields(invoice, "PENDING", false)));
        answer.putNull("payment_link");
        answer.put("refundable", false);
        return answer.toString();
    }

    private String invoiceJson(Invoice invoice, String state, boolean withMeta) {
        ObjectNode answer = JSON.createObjectNode();
        answer.set("invoice", JSON.valueToTree(invoiceFields(invoice, state, true)));
        if (withMeta) {
            answer.putObject("meta").put("id", invoice.id.toLowerCase() + "-meta").put("customer_comment", "");
        }
        return answer.toString();
    }

    private String webhookBody(Invoice invoice, String state) {
        ObjectNode body = JSON.valueToTree(invoiceFields(invoice, state, true));
        body.put("clearing_status", "COMPLETE".equals(state) ? "AVAILABLE" : "PENDING");
        body.put("challenge", challenge);
        return body.toString();
    }

    /** The invoice fields IntaSend sends in every answer; amounts as strings or numbers, as the plan says. */
    private Map<String, Object> invoiceFields(Invoice invoice, String state, boolean withRef) {
        boolean numbers = invoice.purchase.amountsAsNumbers();
        boolean failed = "FAILED".equals(state);
        String code = invoice.purchase.outcome() == FaultPlan.Outcome.CANCELS ? "1032" : "1037";
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        fields.put("id", invoice.id);
        fields.put("invoice_id", invoice.id);
        fields.put("state", state);
        fields.put("provider", "M-PESA");
        fields.put("charges", numbers ? (Object) 0.30 : "0.30");
        fields.put("net_amount", numbers ? (Object) 19.70 : "19.70");
        fields.put("currency", "KES");
        fields.put("value", numbers ? (Object) 20 : "20.00");
        fields.put("account", invoice.purchase.msisdn());
        fields.put("api_ref", withRef ? invoice.apiRef : null);
        fields.put("mpesa_reference", "COMPLETE".equals(state) ? "SF" + invoice.id : null);
        fields.put("host", "127.0.0.1");
        fields.put("retry_count", 0);
        fields.put("failed_reason", failed ? (code.equals("1032") ? "Request cancelled by user"
                : "DS timeout user cannot be reached") : null);
        fields.put("failed_code", failed ? code : null);
        fields.put("failed_code_link", failed ? "https://intasend.com/troubleshooting" : null);
        fields.put("created_at", OffsetDateTime.ofInstant(invoice.createdAt, ZoneOffset.ofHours(3)).toString());
        fields.put("updated_at", OffsetDateTime.ofInstant(invoice.updatedAt, ZoneOffset.ofHours(3)).toString());
        return fields;
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }
}
