import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many RouterOS v7 REST APIs behind one loopback port, for the push benchmark: each router is told apart by the
 * user name of its HTTP Basic credentials (the app's router rows carry username {@code r<n>}), and keeps its own
 * menus. It answers the calls the app's push worker makes (GET with filters and {@code .proplist}, PUT adds, PATCH
 * sets, DELETE removes, "already have" on a duplicate user name), reads values back as RouterOS does (rates in bits
 * per second, flags true/false; the stricter model of the tests is src/test/.../testing/RouterOsTables.java) and
 * records, per MAC, when the first
 * {@code PUT /rest/ip/hotspot/user} for it arrived: the moment the device could log in.
 *
 * <p>{@code java bench/FakeRouter.java <port>}. {@code GET /__bench/arrivals} answers one "MAC epoch-microseconds"
 * line per recorded user; {@code GET /__bench/requests} the number of REST calls received. No dependencies.
 */
public class FakeRouter {

    private static final Map<String, Router> ROUTERS = new ConcurrentHashMap<>();
    private static final Map<String, Long> FIRST_USER_PUT = new ConcurrentHashMap<>();
    private static final AtomicLong REQUESTS = new AtomicLong();

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        server.createContext("/", FakeRouter::handle);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.start();
        System.err.println("fake RouterOS listening on 127.0.0.1:" + port);
    }

    /** One router's menus: rows keyed by {@code .id}, in insertion order; ids counted per menu, as on RouterOS. */
    static final class Router {
        final Map<String, Map<String, Map<String, String>>> tables = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> nextIds = new ConcurrentHashMap<>();

        Map<String, Map<String, String>> table(String menu) {
            return tables.computeIfAbsent(menu, m -> new LinkedHashMap<>());
        }

        String nextId(String menu) {
            return "*" + Integer.toHexString(nextIds.computeIfAbsent(menu, m -> new AtomicInteger(0x1A))
                    .getAndIncrement()).toUpperCase();
        }
    }

    private static final Set<String> RATES = Set.of("rate-limit", "max-limit");

    /**
     * Values as RouterOS reads them back (docs/routeros-rest.md "Values"), so the app's comparisons run as against a
     * router: rates in bits per second ({@code 2M/5M} → {@code 2000000/5000000}), flags {@code true}/{@code false}.
     */
    static Map<String, String> asRouterOsReads(Map<String, String> body) {
        Map<String, String> read = new LinkedHashMap<>();
        body.forEach((field, value) -> {
            if (RATES.contains(field)) {
                StringBuilder bps = new StringBuilder();
                for (String side : value.split("/")) {
                    long unit = side.endsWith("k") ? 1_000 : side.endsWith("M") ? 1_000_000 : 1;
                    String number = unit == 1 ? side : side.substring(0, side.length() - 1);
                    bps.append(bps.length() == 0 ? "" : "/").append(Long.parseLong(number) * unit);
                }
                read.put(field, bps.toString());
            } else if (value.equals("yes") || value.equals("no")) {
                read.put(field, value.equals("yes") ? "true" : "false");
            } else {
                read.put(field, value);
            }
        });
        return read;
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/__bench/arrivals")) {
                StringBuilder out = new StringBuilder();
                FIRST_USER_PUT.forEach((mac, at) -> out.append(mac).append(' ').append(at).append('\n'));
                send(exchange, 200, "text/plain", out.toString());
                return;
            }
            if (path.equals("/__bench/requests")) {
                send(exchange, 200, "text/plain", REQUESTS.get() + "\n");
                return;
            }
            REQUESTS.incrementAndGet();
            long arrived = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
            String user = user(exchange.getRequestHeaders().getFirst("Authorization"));
            if (user == null) {
                error(exchange, 401, "Unauthorized", null);
                return;
            }
            if (!path.startsWith("/rest/")) {
                error(exchange, 404, "Not Found", null);
                return;
            }
            Router router = ROUTERS.computeIfAbsent(user, u -> new Router());
            // RouterOS serves REST calls one at a time; so does each fake router.
            synchronized (router) {
                route(exchange, router, exchange.getRequestMethod(),
                        URLDecoder.decode(path.substring("/rest".length()), StandardCharsets.UTF_8),
                        query(exchange.getRequestURI().getRawQuery()), arrived);
            }
        } finally {
            exchange.close();
        }
    }

    private static void route(HttpExchange exchange, Router router, String method, String path,
            Map<String, String> query, long arrived) throws IOException {
        int star = path.lastIndexOf("/*");
        String menu = star >= 0 ? path.substring(0, star) : path;
        String id = star >= 0 ? path.substring(star + 1) : null;
        Map<String, Map<String, String>> table = router.table(menu);
        switch (method) {
            case "GET" -> {
                List<Map<String, String>> rows = new ArrayList<>();
                for (Map<String, String> row : table.values()) {
                    if ((id == null || id.equals(row.get(".id"))) && matches(row, query)) {
                        rows.add(project(row, query));
                    }
                }
                send(exchange, 200, "application/json", json(rows));
            }
            case "PUT" -> {
                Map<String, String> body = parseObject(new String(exchange.getRequestBody().readAllBytes(),
                        StandardCharsets.UTF_8));
                if (menu.equals("/ip/hotspot/user")) {
                    if (table.values().stream().anyMatch(r -> body.get("name") != null
                            && body.get("name").equals(r.get("name")))) {
                        error(exchange, 400, "Bad Request", "failure: already have user with this name for this server");
                        return;
                    }
                    FIRST_USER_PUT.putIfAbsent(body.get("name"), arrived);
                }
                String newId = router.nextId(menu);
                Map<String, String> row = new LinkedHashMap<>();
                row.put(".id", newId);
                row.put("disabled", "false");
                row.putAll(asRouterOsReads(body));
                table.put(newId, row);
                send(exchange, 201, "application/json", json(row));
            }
            case "PATCH" -> {
                Map<String, String> row = id == null ? null : table.get(id);
                if (row == null) {
                    error(exchange, 404, "Not Found", null);
                    return;
                }
                row.putAll(asRouterOsReads(parseObject(new String(exchange.getRequestBody().readAllBytes(),
                        StandardCharsets.UTF_8))));
                send(exchange, 200, "application/json", json(row));
            }
            case "DELETE" -> {
                if (id == null || table.remove(id) == null) {
                    error(exchange, 404, "Not Found", null);
                    return;
                }
                exchange.sendResponseHeaders(204, -1);
            }
            default -> error(exchange, 400, "Bad Request", "no such command");
        }
    }

    /** The user name of HTTP Basic credentials; any password is accepted. */
    private static String user(String header) {
        if (header == null || !header.startsWith("Basic ")) {
            return null;
        }
        String pair = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        return colon <= 0 ? null : pair.substring(0, colon);
    }

    private static boolean matches(Map<String, String> row, Map<String, String> query) {
        for (Map.Entry<String, String> e : query.entrySet()) {
            if (!e.getKey().startsWith(".") && !e.getValue().equals(row.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> project(Map<String, String> row, Map<String, String> query) {
        String proplist = query.get(".proplist");
        if (proplist == null) {
            return row;
        }
        Map<String, String> projected = new LinkedHashMap<>();
        for (String field : proplist.split(",")) {
            if (row.containsKey(field)) {
                projected.put(field, row.get(field));
            }
        }
        return projected;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new LinkedHashMap<>();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                values.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    // ------------------------------------------------------------------- flat JSON objects of strings, both ways

    /** Parses {"k":"v",...} with string (or bare scalar) values, which is all the push worker sends. */
    static Map<String, String> parseObject(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        int[] i = { skip(text, 0) };
        if (i[0] >= text.length() || text.charAt(i[0]) != '{') {
            return out;
        }
        i[0] = skip(text, i[0] + 1);
        while (i[0] < text.length() && text.charAt(i[0]) != '}') {
            String key = string(text, i);
            i[0] = skip(text, i[0]);
            i[0] = skip(text, i[0] + 1); // ':'
            String value;
            if (text.charAt(i[0]) == '"') {
                value = string(text, i);
            } else {
                int start = i[0];
                while (i[0] < text.length() && ",}".indexOf(text.charAt(i[0])) < 0) {
                    i[0]++;
                }
                value = text.substring(start, i[0]).trim();
            }
            out.put(key, value);
            i[0] = skip(text, i[0]);
            if (i[0] < text.length() && text.charAt(i[0]) == ',') {
                i[0] = skip(text, i[0] + 1);
            }
        }
        return out;
    }

    private static int skip(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static String string(String s, int[] i) {
        StringBuilder b = new StringBuilder();
        int p = i[0] + 1; // after the opening quote
        while (s.charAt(p) != '"') {
            char c = s.charAt(p++);
            if (c == '\\') {
                char e = s.charAt(p++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
                        p += 4;
                    }
                    default -> b.append(e);
                }
            } else {
                b.append(c);
            }
        }
        i[0] = p + 1;
        return b.toString();
    }

    static String json(Map<String, String> row) {
        StringBuilder b = new StringBuilder("{");
        row.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(quote(k)).append(':').append(quote(v)));
        return b.append('}').toString();
    }

    static String json(List<Map<String, String>> rows) {
        StringBuilder b = new StringBuilder("[");
        for (Map<String, String> row : rows) {
            b.append(b.length() > 1 ? "," : "").append(json(row));
        }
        return b.append(']').toString();
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static void error(HttpExchange exchange, int status, String message, String detail) throws IOException {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("message", message);
        if (detail != null) {
            body.put("detail", detail);
        }
        // RouterOS sends the code as a number
        send(exchange, status, "application/json", "{\"error\":" + status + "," + json(body).substring(1));
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
