package org.hotspotbilling.router;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import jakarta.enterprise.context.ApplicationScoped;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
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
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * RouterOS v7 REST over the JDK HttpClient: {@code http(s)://host:port/rest/<menu>}, HTTP Basic on every call
 * (RouterOS has no sessions), JSON both ways (docs/routeros-rest.md). Every failure comes out as a classified
 * {@link RouterOsException}. Per-call targets, credentials and TLS modes are why this is not a Quarkus REST client,
 * whose base URL and TLS setup are fixed per configuration key.
 *
 * <p>HTTPS is checked one of three ways (docs/routeros-rest.md "TLS and pinning"): a router pinned to its
 * certificate's SHA-256 fingerprint is accepted with exactly that certificate (self-signed is fine; no CA, no host
 * name: the pin names the router); an unpinned one with {@code verify_tls} needs a certificate a public CA signed
 * for its host name; {@code verify_tls=false} accepts any certificate, for labs only. A refused certificate ends
 * the call during the handshake, before the credentials are sent.
 */
@ApplicationScoped
public class RouterOsClient {

    /** Everything needed to reach one router; {@code tlsFingerprint} is its certificate pin, null when unpinned. */
    public record Target(String host, int port, boolean https, boolean verifyTls, String tlsFingerprint,
            String username, String password) {
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
            return "Target[" + host + ":" + port + (https ? " https" : " http")
                    + (tlsFingerprint == null ? "" : " pinned") + ", user " + username + "]";
        }
    }

    /**
     * Clients of pinned routers kept at once, each with the pin its trust manager accepts (a pooled connection is
     * only ever reused under the pin it was checked against). Each holds a selector thread and its connections;
     * the push workers call a handful of routers at a time, so this is many times what is in use.
     */
    private static final int PINNED_CLIENTS = 64;

    private final RouterConfig config;
    private final HostPolicy hostPolicy;
    private final ObjectMapper json;
    private final HttpClient verifying;
    private final HttpClient trustingAnyCertificate;
    private final Map<String, HttpClient> pinned = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, HttpClient> eldest) {
                    return size() > PINNED_CLIENTS;
                }
            });

    public RouterOsClient(RouterConfig config, HostPolicy hostPolicy, ObjectMapper json) {
        this.config = config;
        this.hostPolicy = hostPolicy;
        this.json = json;
        this.verifying = HttpClient.newBuilder().connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.trustingAnyCertificate = client(context(new CertificateCheck()));
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
        HttpClient client = !target.https() ? verifying
                : target.tlsFingerprint() != null ? pinned.computeIfAbsent(target.tlsFingerprint(),
                        pin -> client(context(new PinCheck(pin))))
                : target.verifyTls() ? verifying : trustingAnyCertificate;
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
            throw tlsFailure(e);
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

    /**
     * The SHA-256 fingerprint of the certificate the router presents, whatever it is (a handshake that trusts it
     * only to read it; nothing is sent). Empty for plain HTTP or when no TLS handshake completes.
     */
    public Optional<String> certificateFingerprint(Target target) {
        if (!target.https()) {
            return Optional.empty();
        }
        try {
            checkHost(target.host());
        } catch (RouterOsException e) {
            return Optional.empty();
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.host(), target.port()),
                    Math.toIntExact(config.connectTimeout().toMillis()));
            socket.setSoTimeout(Math.toIntExact(config.readTimeout().toMillis()));
            try (SSLSocket tls = (SSLSocket) trustingAnyCertificate.sslContext().getSocketFactory()
                    .createSocket(socket, target.host(), target.port(), false)) {
                tls.startHandshake();
                Certificate[] chain = tls.getSession().getPeerCertificates();
                return chain.length == 0 ? Optional.empty() : Optional.of(CertificatePins.of(chain[0]));
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A refused certificate is the owner's to fix (TLS); any other handshake failure is an unreachable router. */
    private static RouterOsException tlsFailure(SSLException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof PinMismatch mismatch) {
                return new RouterOsException(RouterOsException.Kind.TLS, mismatch.getMessage(), e);
            }
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException refused) {
                return new RouterOsException(RouterOsException.Kind.TLS, "The router's certificate is not trusted ("
                        + refused.getMessage() + "); pin it: a connection test shows its SHA-256 fingerprint as "
                        + "tls_fingerprint_seen, which becomes the router's tls_fingerprint once checked", e);
            }
        }
        return new RouterOsException(RouterOsException.Kind.UNREACHABLE,
                "TLS handshake with the router failed (is this an HTTPS port?): " + e.getMessage(), e);
    }

    private HttpClient client(SSLContext context) {
        return HttpClient.newBuilder().connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).sslContext(context).build();
    }

    private static SSLContext context(TrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] { trust }, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is part of every JVM", e);
        }
    }

    /** The pinned certificate was not the one presented. */
    static final class PinMismatch extends CertificateException {
        PinMismatch(String seen, String pin) {
            super("The router presented a certificate with SHA-256 fingerprint " + seen + ", not the pinned " + pin
                    + ": nothing was sent to it. If the router's certificate was replaced, check the new one and "
                    + "pin it (tls_fingerprint)");
        }
    }

    /** Accepts exactly the certificate whose fingerprint is the pin: no CA, no host name, the pin names the router. */
    private static final class PinCheck extends CertificateCheck {
        private final String pin;

        PinCheck(String pin) {
            this.pin = pin;
        }

        @Override
        void check(X509Certificate[] chain) throws CertificateException {
            String seen = chain == null || chain.length == 0 ? "(none)" : CertificatePins.of(chain[0]);
            if (!seen.equals(pin)) {
                throw new PinMismatch(seen, pin);
            }
        }
    }

    /**
     * Checks a router's certificate with {@link #check} alone, in every form the JDK asks. As it stands it
     * accepts any certificate: for routers whose owner chose verify_tls=false (labs), and for reading the
     * fingerprint a router presents.
     */
    private static class CertificateCheck extends X509ExtendedTrustManager {

        void check(X509Certificate[] chain) throws CertificateException {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("We are never the server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("We are never the server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("We are never the server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
