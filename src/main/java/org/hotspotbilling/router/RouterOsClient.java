package org.hotspotbilling.router;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import jakarta.enterprise.context.ApplicationScoped;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * RouterOS v7 REST over the JDK HttpClient: {@code http(s)://host:port/rest/<menu>}, HTTP Basic on every call
 * (RouterOS has no sessions), JSON both ways. Every failure comes out as a classified {@link RouterOsException}.
 * Per-call targets, credentials and TLS modes are why this is not a Quarkus REST client, whose base URL and TLS
 * setup are fixed per configuration key.
 */
@ApplicationScoped
public class RouterOsClient {

    /** Everything needed to reach one router. */
    public record Target(String host, int port, boolean https, boolean verifyTls, String username, String password) {
        URI uri(String path, Map<String, String> query) {
            StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
            query.forEach((k, v) -> q.add(encode(k) + "=" + encode(v)));
            return URI.create((https ? "https" : "http") + "://" + HostPolicy.urlHost(host) + ":" + port + "/rest"
                    + path + q);
        }

        String authorization() {
            String pair = username + ":" + (password == null ? "" : password);
            return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Target[" + host + ":" + port + (https ? " https" : " http") + ", user " + username + "]";
        }
    }

    private final RouterConfig config;
    private final HostPolicy hostPolicy;
    private final ObjectMapper json;
    private final HttpClient verifying;
    private final HttpClient trustingAnyCertificate;

    public RouterOsClient(RouterConfig config, HostPolicy hostPolicy, ObjectMapper json) {
        this.config = config;
        this.hostPolicy = hostPolicy;
        this.json = json;
        this.verifying = HttpClient.newBuilder().connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.trustingAnyCertificate = HttpClient.newBuilder().connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).sslContext(trustAll()).build();
    }

    public JsonNode get(Target target, String path) throws RouterOsException {
        return get(target, path, Map.of());
    }

    public JsonNode get(Target target, String path, Map<String, String> query) throws RouterOsException {
        return call(target, "GET", path, query, null);
    }

    /** PUT (add), PATCH (set), DELETE (remove) or POST (command) with an optional JSON body. */
    public JsonNode call(Target target, String method, String path, Map<String, String> query, JsonNode body)
            throws RouterOsException {
        checkHost(target.host());
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(target.uri(path, query))
                .timeout(config.readTimeout())
                .header("Authorization", target.authorization())
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .method(method, publisher)
                .build();
        HttpClient client = target.https() && !target.verifyTls() ? trustingAnyCertificate : verifying;
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw new RouterOsException(RouterOsException.Kind.TIMEOUT,
                    "Router did not accept a connection within " + seconds(config.connectTimeout()), e);
        } catch (HttpTimeoutException e) {
            throw new RouterOsException(RouterOsException.Kind.TIMEOUT,
                    "Router did not answer within " + seconds(config.readTimeout()), e);
        } catch (ConnectException e) {
            throw new RouterOsException(RouterOsException.Kind.UNREACHABLE,
                    "Router unreachable: connection refused at " + target.host() + ":" + target.port(), e);
        } catch (SSLException e) {
            throw new RouterOsException(RouterOsException.Kind.UNREACHABLE,
                    "TLS handshake with the router failed (certificate not trusted, or not an HTTPS port)", e);
        } catch (IOException e) {
            throw new RouterOsException(RouterOsException.Kind.UNREACHABLE,
                    "Router unreachable: " + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RouterOsException(RouterOsException.Kind.TIMEOUT, "Interrupted while waiting for the router", e);
        }
        return interpret(response);
    }

    private JsonNode interpret(HttpResponse<String> response) throws RouterOsException {
        int status = response.statusCode();
        String body = response.body();
        if (status == 401 || status == 403) {
            throw new RouterOsException(RouterOsException.Kind.REFUSED, status,
                    "Router refused the credentials (HTTP " + status + "): check the username, password and that "
                            + "the user's group has the rest-api policy", errorField(body, "detail").orElse(null), null);
        }
        if (status >= 400 || status < 200) {
            String message = errorField(body, "message").orElse("HTTP " + status);
            String detail = errorField(body, "detail").orElse(null);
            throw new RouterOsException(RouterOsException.Kind.ERROR, status,
                    "Router answered " + status + " " + message + (detail == null ? "" : ": " + detail), detail, null);
        }
        if (body == null || body.isBlank()) {
            return NullNode.getInstance();
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new RouterOsException(RouterOsException.Kind.BAD_RESPONSE, status,
                    "Router answered HTTP " + status + " with a body that is not JSON (is this a RouterOS REST port?)",
                    null, e);
        }
    }

    private void checkHost(String host) throws RouterOsException {
        Optional<String> refusal;
        try {
            refusal = hostPolicy.refusalAfterResolving(host);
        } catch (UnknownHostException e) {
            throw new RouterOsException(RouterOsException.Kind.UNREACHABLE,
                    "Router unreachable: cannot resolve host " + host, e);
        }
        if (refusal.isPresent()) {
            throw new RouterOsException(RouterOsException.Kind.HOST_NOT_ALLOWED,
                    "Router host " + host + " is not allowed: " + refusal.get());
        }
    }

    private Optional<String> errorField(String body, String field) {
        try {
            JsonNode node = json.readTree(body == null ? "" : body);
            return node != null && node.hasNonNull(field) ? Optional.of(node.get(field).asText()) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** For routers whose owner chose verify_tls=false (self-signed certificates in labs): no CA, no host check. */
    private static SSLContext trustAll() {
        X509ExtendedTrustManager anyCertificate = new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] { anyCertificate }, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is part of every JVM", e);
        }
    }
}
