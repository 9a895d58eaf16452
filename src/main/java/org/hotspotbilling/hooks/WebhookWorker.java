package org.hotspotbilling.hooks;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookSigningException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import org.hotspotbilling.crypto.Tokens;
import org.hotspotbilling.router.HostPolicy;
import org.hotspotbilling.work.LeasedDispatcher;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends the webhook outbox. An event written by this instance wakes it once its transaction has committed; a
 * scheduled sweep catches what other instances wrote, retries whose time has come, and deliveries whose worker
 * crashed. Each attempt is signed per Standard Webhooks with the maintained library, with a fresh timestamp:
 * {@code webhook-id} is the event id, the same on every attempt and replay, so receivers deduplicate by it.
 */
@ApplicationScoped
public class WebhookWorker {

    private static final Logger LOG = Logger.getLogger(WebhookWorker.class);

    private final WebhookOutbox outbox;
    private final HostPolicy hostPolicy;
    private final WebhookConfig config;
    private final HttpClient http;
    /** Identifies this instance's leases in webhook_delivery. */
    private final String token = Tokens.randomHex(16);
    private volatile LeasedDispatcher dispatcher;

    public WebhookWorker(WebhookOutbox outbox, HostPolicy hostPolicy, WebhookConfig config) {
        this.outbox = outbox;
        this.hostPolicy = hostPolicy;
        this.config = config;
        // Redirects are not followed: a 3xx is a failed attempt, and the address policy is never sidestepped.
        this.http = HttpClient.newBuilder().connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("Webhook delivery is off in this instance (hotspot.webhooks.enabled=false)");
            return;
        }
        dispatcher = new LeasedDispatcher("webhook", config.workers(),
                free -> outbox.claim(free, token, Instant.now(), config.lease()), this::attempt);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (dispatcher != null) {
            // An attempt cut short here is made again by whichever instance takes the delivery after its lease.
            dispatcher.stop(Duration.ofSeconds(5));
        }
    }

    void onQueued(@Observes(during = TransactionPhase.AFTER_SUCCESS) WebhookEvents.Queued queued) {
        wake();
    }

    @Scheduled(every = "${hotspot.webhooks.sweep-interval:2s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        wake();
    }

    /** Attempts finished by this instance since start (tests wait on it). */
    public int attemptsMade() {
        LeasedDispatcher d = dispatcher;
        return d == null ? 0 : d.finished();
    }

    /** Asks the dispatcher to look for due deliveries; calls made while it is already asked fold into one. */
    public void wake() {
        LeasedDispatcher d = dispatcher;
        if (d != null) {
            d.wake();
        }
    }

    private void attempt(long deliveryId) {
        try {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            WebhookOutbox.Send send = outbox.begin(deliveryId, token, now);
            if (send == null) {
                return;
            }
            WebhookOutbox.Outcome outcome = send(send, now);
            outbox.attempted(send, token, now, outcome);
            if (!outcome.succeeded()) {
                LOG.infof("Webhook delivery %d (%s) to endpoint %d failed: %s", deliveryId, send.eventId(),
                        send.endpointId(), outcome.error() != null ? outcome.error() : "HTTP " + outcome.status());
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "Webhook delivery %d could not be attempted; retried after its lease", deliveryId);
        }
    }

    /**
     * One POST of the stored body, signed now; any answer but a 2xx, and any error or timeout, is a failure. The
     * whole exchange, the answer's first bytes included, must be over within connect + read timeout: an endpoint
     * that sends its headers and then stalls cannot hold a worker.
     */
    private WebhookOutbox.Outcome send(WebhookOutbox.Send send, Instant now) {
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<String>> exchange = null;
        try {
            URI uri = URI.create(send.url());
            String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                    : uri.getHost();
            Optional<String> refused = hostPolicy.refusalAfterResolving(host);
            if (refused.isPresent()) {
                return failure(started, "address not allowed: " + refused.get());
            }
            long timestamp = now.getEpochSecond();
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(config.readTimeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "hotspot-billing-webhooks")
                    .header("webhook-id", send.eventId())
                    .header("webhook-timestamp", Long.toString(timestamp))
                    .header("webhook-signature", signature(send.secrets(), send.eventId(), timestamp, send.payload()))
                    .POST(HttpRequest.BodyPublishers.ofString(send.payload(), StandardCharsets.UTF_8)).build();
            exchange = http.sendAsync(request, answer -> new Excerpt(WebhookOutbox.RESPONSE_CHARS * 4));
            HttpResponse<String> response = exchange.get(config.connectTimeout().plus(config.readTimeout()).toMillis(),
                    TimeUnit.MILLISECONDS);
            return new WebhookOutbox.Outcome(response.statusCode(), elapsedMs(started), response.body(), null);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            return failure(started, "timed out: no complete answer within the connect and read timeouts");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                return failure(started, "timed out: " + cause.getMessage());
            }
            return failure(started, "connection failed: " + (cause.getMessage() == null
                    ? cause.getClass().getSimpleName() : cause.getMessage()));
        } catch (UnknownHostException e) {
            return failure(started, "unknown host: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (exchange != null) {
                exchange.cancel(true);
            }
            return failure(started, "interrupted (instance stopping)");
        }
    }

    /** The {@code webhook-signature} value: one {@code v1,…} per secret that signs now, separated by spaces. */
    static String signature(List<String> secrets, String id, long timestamp, String payload) {
        List<String> signatures = new ArrayList<>();
        for (String secret : secrets) {
            try {
                signatures.add(new Webhook(secret).sign(id, timestamp, payload));
            } catch (WebhookSigningException e) {
                throw new IllegalStateException("Cannot sign webhook " + id, e);
            }
        }
        return String.join(" ", signatures);
    }

    /**
     * Keeps the first {@code limit} bytes of an answer and then stops reading it (the rest is never downloaded),
     * as text of at most 500 characters.
     */
    private static final class Excerpt implements HttpResponse.BodySubscriber<String> {
        private final int limit;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<String> text = new CompletableFuture<>();
        private Flow.Subscription subscription;

        Excerpt(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<String> getBody() {
            return text;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                byte[] chunk = new byte[Math.min(buffer.remaining(), limit - bytes.size())];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
            if (bytes.size() >= limit) {
                subscription.cancel();
                onComplete();
            } else {
                subscription.request(1);
            }
        }

        @Override
        public void onError(Throwable error) {
            text.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            String all = bytes.toString(StandardCharsets.UTF_8);
            String cut = all.length() > WebhookOutbox.RESPONSE_CHARS ? all.substring(0, WebhookOutbox.RESPONSE_CHARS)
                    : all;
            text.complete(cut.replace('\0', ' '));
        }
    }

    private static WebhookOutbox.Outcome failure(long started, String error) {
        return new WebhookOutbox.Outcome(null, elapsedMs(started), null, error);
    }

    private static int elapsedMs(long started) {
        return (int) TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }
}
