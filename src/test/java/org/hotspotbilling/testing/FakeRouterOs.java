package org.hotspotbilling.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * A RouterOS v7 REST API on loopback that behaves as the real one does for the calls we make
 * (docs/routeros-rest.md): HTTP Basic on every call, GET prints, PUT adds, PATCH sets, DELETE removes, over the
 * menus of {@link RouterOsTables} (string values, {@code *hex} ids, defaults, values read back normalised, writes
 * refused as RouterOS refuses them), errors as {@code {"error":<code>,"message":...,"detail":...}}, and one request
 * at a time (RouterOS serves REST serially). Faults can be switched on: a delay, a forced status, wrong
 * credentials, writes answered but not applied.
 */
public final class FakeRouterOs implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SINGLETONS = List.of("/system/resource", "/system/identity", "/system/clock");

    private final HttpServer server;
    private final RouterOsTables tables = new RouterOsTables();
    private final Map<String, Map<String, String>> singletons = new ConcurrentHashMap<>();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile String username = "billing";
    private volatile String password = "router-secret";
    private volatile Duration delay = Duration.ZERO;
    private volatile int forcedStatus;
    private volatile boolean singletonsAsArrays;
    private volatile boolean ignoreWrites;
    private volatile String refusedText;
    private volatile String refusalDetail;

    /** The REST API over plain HTTP (the {@code www} service). */
    public FakeRouterOs() {
        this(false, null);
    }

    /** The REST API over HTTPS (the {@code www-ssl} service) presenting {@code certificate}. */
    public static FakeRouterOs overHttps(TestCertificate certificate) {
        return new FakeRouterOs(true, certificate);
    }

    private FakeRouterOs(boolean https, TestCertificate certificate) {
        try {
            InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
            if (https) {
                HttpsServer tls = HttpsServer.create(loopback, 0);
                tls.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
                server = tls;
            } else {
                server = HttpServer.create(loopback, 0);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newSingleThreadExecutor());
        singletons.put("/system/identity", new LinkedHashMap<>(Map.of("name", "HS-Kisumu-01")));
        singletons.put("/system/resource", new LinkedHashMap<>(Map.of(
                "version", "7.16.2 (stable)", "board-name", "hAP ax^2", "architecture-name", "arm64",
                "uptime", "3d4h12m9s", "cpu-load", "7", "cpu-count", "4", "free-memory", "812302336",
                "total-memory", "1073741824", "free-hdd-space", "101126144")));
        singletons.put("/system/clock", new LinkedHashMap<>(Map.of("date", "2026-11-23", "time", "12:00:00")));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** Every later call must carry these credentials, or get 401. */
    public FakeRouterOs credentials(String user, String pass) {
        this.username = user;
        this.password = pass;
        return this;
    }

    /** Each answer waits this long first (use it past the client's read timeout to simulate a hung router). */
    public FakeRouterOs delay(Duration delay) {
        this.delay = delay;
        return this;
    }

    /** Every call answers this status with RouterOS' error body (0 switches it off). */
    public FakeRouterOs failWith(int status) {
        this.forcedStatus = status;
        return this;
    }

    /** Some RouterOS versions wrap singleton menus such as /system/resource in a one-element array. */
    public FakeRouterOs singletonsAsArrays(boolean wrap) {
        this.singletonsAsArrays = wrap;
        return this;
    }

    /** Answers writes (PUT, PATCH, DELETE) as done without applying them, as some routers have been seen to. */
    public FakeRouterOs ignoreWrites(boolean ignore) {
        this.ignoreWrites = ignore;
        return this;
    }

    /**
     * Refuses (400, with {@code detail}) every add or set whose body contains {@code text}, as RouterOS refuses
     * one entry it cannot take while taking the others; null switches it off.
     */
    public FakeRouterOs refuseWritesMentioning(String text, String detail) {
        this.refusalDetail = detail;
        this.refusedText = text;
        return this;
    }

    /** Forgets the calls received so far. */
    public void clearRequests() {
        requests.clear();
    }

    /** Removes a row as if deleted on the router by hand. */
    public void remove(String menu, String id) {
        tables.delete(menu, id);
    }

    /**
     * Adds a row to a menu as if configured on the router (completed with RouterOS' defaults and read as RouterOS
     * reads values, never refused); answers its new {@code .id}.
     */
    public String add(String menu, Map<String, String> row) {
        return tables.seed(menu, row);
    }

    /** Every row of a menu as RouterOS would print it, in the order added. */
    public List<Map<String, String>> rows(String menu) {
        return tables.rows(menu);
    }

    /** "METHOD /rest/path?query" of every call received, in order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String rawPath = exchange.getRequestURI().getRawPath();
        String query = exchange.getRequestURI().getRawQuery();
        requests.add(method + " " + rawPath + (query == null ? "" : "?" + query));
        try {
            if (!delay.isZero()) {
                Thread.sleep(delay.toMillis());
            }
            if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
                error(exchange, 401, "Unauthorized", null);
                return;
            }
            if (forcedStatus != 0) {
                error(exchange, forcedStatus, forcedStatus >= 500 ? "Internal Server Error" : "Bad Request",
                        "forced by test");
                return;
            }
            if (!rawPath.startsWith("/rest/")) {
                error(exchange, 404, "Not Found", null);
                return;
            }
            route(exchange, method, URLDecoder.decode(rawPath.substring("/rest".length()), StandardCharsets.UTF_8),
                    parseQuery(query));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client gave up (timeout): nothing to answer
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange, String method, String path, Map<String, String> query)
            throws IOException {
        if (SINGLETONS.contains(path) && method.equals("GET")) {
            Map<String, String> row = singletons.get(path);
            send(exchange, 200, singletonsAsArrays ? List.of(row) : row);
            return;
        }
        int star = path.lastIndexOf("/*");
        String menu = star >= 0 ? path.substring(0, star) : path;
        String id = star >= 0 ? path.substring(star + 1) : null;
        if (ignoreWrites && !method.equals("GET")) {
            Map<String, String> echo = new LinkedHashMap<>(Map.of(".id", id == null ? "*FFFF" : id));
            if (!method.equals("DELETE")) {
                echo.putAll(readBody(exchange));
            }
            if (method.equals("DELETE")) {
                exchange.sendResponseHeaders(204, -1);
            } else {
                send(exchange, 200, echo);
            }
            return;
        }
        try {
            switch (method) {
                case "GET" -> send(exchange, 200, id == null ? tables.print(menu, query)
                        : tables.printOne(menu, id, query));
                case "PUT" -> send(exchange, 200, tables.add(menu, unlessRefused(readBody(exchange))));
                case "PATCH" -> {
                    if (id == null) {
                        throw new RouterOsTables.Refusal(400, "Bad Request", "no such item");
                    }
                    send(exchange, 200, tables.set(menu, id, unlessRefused(readBody(exchange))));
                }
                case "DELETE" -> {
                    if (id == null) {
                        throw new RouterOsTables.Refusal(400, "Bad Request", "no such item");
                    }
                    tables.remove(menu, id);
                    exchange.sendResponseHeaders(204, -1);
                }
                default -> throw new RouterOsTables.Refusal(400, "Bad Request", "no such command");
            }
        } catch (RouterOsTables.Refusal refusal) {
            error(exchange, refusal.status(), refusal.getMessage(), refusal.detail());
        }
    }

    private Map<String, String> unlessRefused(Map<String, String> body) throws RouterOsTables.Refusal {
        String text = refusedText;
        if (text != null && body.values().stream().anyMatch(v -> v.contains(text))) {
            throw new RouterOsTables.Refusal(400, "Bad Request", refusalDetail);
        }
        return body;
    }

    private boolean authorized(String header) {
        String expected = "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        return expected.equals(header);
    }

    private static Map<String, String> readBody(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        Map<String, String> values = new LinkedHashMap<>();
        if (body != null) {
            body.fields().forEachRemaining(f -> values.put(f.getKey(), f.getValue().asText()));
        }
        return values;
    }

    private static Map<String, String> parseQuery(String query) {
        Map<String, String> values = new LinkedHashMap<>();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                values.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static void error(HttpExchange exchange, int status, String message, String detail) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", status);
        body.put("message", message);
        if (detail != null) {
            body.put("detail", detail);
        }
        send(exchange, status, body);
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
