package org.hotspotbilling.testing;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import com.sun.net.httpserver.HttpServer;
import io.restassured.path.json.JsonPath;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * An owner's system receiving webhooks: a tiny HTTP server on 127.0.0.1 that records every request and answers
 * the statuses a test scripts (200 once the script is used up), optionally after a delay.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as it arrived. */
    public record Received(String id, String timestamp, String signature, String body, Instant at) {

        public JsonPath json() {
            return new JsonPath(body);
        }

        /** Checks the signature with the Standard Webhooks library, as a receiver does; throws when it fails. */
        public void verify(String secret) throws WebhookVerificationException {
            new Webhook(secret).verify(body, Map.of("webhook-id", List.of(id), "webhook-timestamp", List.of(timestamp),
                    "webhook-signature", List.of(signature)));
        }

        public boolean verifies(String secret) {
            try {
                verify(secret);
                return true;
            } catch (WebhookVerificationException e) {
                return false;
            }
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<Integer> statuses = new ArrayDeque<>();
    private volatile int defaultStatus = 200;
    private volatile Duration delay = Duration.ZERO;
    private volatile Duration bodyStall = Duration.ZERO;

    public WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestHeaders().getFirst("webhook-id"),
                    exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                    exchange.getRequestHeaders().getFirst("webhook-signature"),
                    new String(body, StandardCharsets.UTF_8), Instant.now()));
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int status;
            synchronized (statuses) {
                status = statuses.isEmpty() ? defaultStatus : statuses.poll();
            }
            byte[] answer = ("answered " + status).getBytes(StandardCharsets.UTF_8);
            Duration stall = bodyStall;
            exchange.sendResponseHeaders(status, stall.isZero() ? answer.length : 0); // 0: chunked
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
                if (!stall.isZero()) {
                    out.flush();
                    Thread.sleep(stall.toMillis());
                    out.write(" and more".getBytes(StandardCharsets.UTF_8));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
    }

    /** The next requests are answered with these statuses, in order. */
    public WebhookReceiver answer(Integer... next) {
        synchronized (statuses) {
            statuses.addAll(List.of(next));
        }
        return this;
    }

    /** Every request not scripted with {@link #answer} gets this status. */
    public WebhookReceiver answerAlways(int status) {
        defaultStatus = status;
        return this;
    }

    public WebhookReceiver delay(Duration delay) {
        this.delay = delay;
        return this;
    }

    /** Answers send their headers and first bytes at once, then nothing more for this long. */
    public WebhookReceiver stallBody(Duration stall) {
        this.bodyStall = stall;
        return this;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Requests whose event has this type. */
    public List<Received> ofType(String type) {
        return received.stream().filter(r -> type.equals(r.json().getString("type"))).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
