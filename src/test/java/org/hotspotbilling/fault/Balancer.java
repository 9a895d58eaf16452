package org.hotspotbilling.fault;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The load balancer in front of the instances, as customers, routers and IntaSend reach them: a request goes to
 * the instance chosen for it, or to the other one when the chosen one refuses the connection (it is down). A
 * request cut off after it was sent (the instance died while answering) is the caller's to handle, as it would be
 * behind a real balancer.
 */
final class Balancer {

    static final ObjectMapper JSON = new ObjectMapper();

    /** An answer and the instance that gave it. */
    record Answer(int status, String body, int instance) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("not JSON (" + status + "): " + body, e);
            }
        }
    }

    private final List<AppInstance> instances;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
            .version(HttpClient.Version.HTTP_1_1).build();

    Balancer(List<AppInstance> instances) {
        this.instances = instances;
    }

    /**
     * Where a request that cannot retry itself goes (a poll router's pass): the preferred instance, or the other
     * one while the preferred one's process is down, as the balancer's health check would have it. An instance
     * still starting is up but refuses connections: that pass fails, and the router tries again next interval.
     */
    String baseUrlFor(int preferred) {
        boolean down = instances.get(preferred).process().map(p -> !p.isAlive()).orElse(true);
        return instances.get(down ? 1 - preferred : preferred).baseUrl();
    }

    Answer post(int preferred, String path, Map<String, String> headers, Object body) throws IOException {
        String json = body == null ? "" : JSON.writeValueAsString(body);
        return send(preferred, path, headers, HttpRequest.BodyPublishers.ofString(json), "POST");
    }

    Answer get(int preferred, String path, Map<String, String> headers) throws IOException {
        return send(preferred, path, headers, HttpRequest.BodyPublishers.noBody(), "GET");
    }

    private Answer send(int preferred, String path, Map<String, String> headers, HttpRequest.BodyPublisher body,
            String method) throws IOException {
        try {
            return once(preferred, path, headers, body, method);
        } catch (ConnectException | HttpConnectTimeoutException down) {
            return once(1 - preferred, path, headers, body, method);
        }
    }

    private Answer once(int instance, String path, Map<String, String> headers, HttpRequest.BodyPublisher body,
            String method) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(instances.get(instance).baseUrl() + path))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json").method(method, body);
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(), instance);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
