package org.hotspotbilling.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A MikroTik hotspot's login URL ({@code link-login-only}) on loopback: records each form posted to it, the way
 * the captive page logs a device in, and answers a small "logged in" page.
 */
public final class FakeHotspotLogin implements AutoCloseable {

    private final HttpServer server;
    private final BlockingQueue<Map<String, String>> logins = new LinkedBlockingQueue<>();

    private FakeHotspotLogin(HttpServer server) {
        this.server = server;
    }

    public static FakeHotspotLogin start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            FakeHotspotLogin fake = new FakeHotspotLogin(server);
            server.createContext("/login", exchange -> {
                if ("POST".equals(exchange.getRequestMethod())) {
                    fake.logins.add(form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
                }
                byte[] page = "<!DOCTYPE html><html><body><p id=\"logged-in\">You are logged in</p></body></html>"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(200, page.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(page);
                }
            });
            server.start();
            return fake;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String loginUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/login";
    }

    /** The next form posted to the login URL, or null if none arrives in time. */
    public Map<String, String> nextLogin(Duration patience) throws InterruptedException {
        return logins.poll(patience.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                fields.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
