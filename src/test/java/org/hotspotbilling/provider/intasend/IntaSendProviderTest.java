package org.hotspotbilling.provider.intasend;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.hotspotbilling.provider.ActiveCredential;
import org.hotspotbilling.provider.Environment;
import org.hotspotbilling.provider.PaymentProvider;
import org.hotspotbilling.provider.ProviderException;
import org.hotspotbilling.provider.ProviderName;
import org.hotspotbilling.provider.ProviderState;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IntaSendProviderTest {

    private static IntaSendConfig at(String url) {
        return new IntaSendConfig() {
            public String sandboxUrl() {
                return url;
            }

            public String liveUrl() {
                return url;
            }

            public Duration connectTimeout() {
                return Duration.ofSeconds(1);
            }

            public Duration readTimeout() {
                return Duration.ofSeconds(1);
            }
        };
    }

    @Test
    void aRefusedConnectionIsADefiniteRejectionNotAnUnknown() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        IntaSendProvider provider = new IntaSendProvider(at("http://127.0.0.1:" + closed + "/api/v1"), new ObjectMapper());
        ActiveCredential credential = new ActiveCredential(1, 1, ProviderName.instasend, Environment.sandbox,
                "ISPubKey_test_x", "ISSecretKey_test_x", null, null);
        ProviderException e = assertThrows(ProviderException.class, () -> provider.startPush(credential,
                new PaymentProvider.PushRequest(UUID.randomUUID(), "254712345678", new BigDecimal("20.00"), "KES", "x", null)));
        assertEquals(ProviderException.Outcome.REJECTED, e.outcome());
    }

    @Test
    void theReadTimeoutIsTheAnswersOwnNotShortenedByTheConnect() throws Exception {
        // An answer 1.5 s after the request, with a 1 s connect and a 1 s read timeout: the connect took no time,
        // so the answer is within its read timeout and must be taken.
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = ("{\"invoice\":{\"invoice_id\":\"ABC\",\"state\":\"PENDING\"}}").getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            IntaSendProvider provider = new IntaSendProvider(at("http://127.0.0.1:" + server.getAddress().getPort()
                    + "/api/v1"), new ObjectMapper());
            ActiveCredential credential = new ActiveCredential(1, 1, ProviderName.instasend, Environment.sandbox,
                    "ISPubKey_test_x", "ISSecretKey_test_x", null, null);
            assertEquals(ProviderState.PENDING, provider.status(credential,
                    PaymentProvider.StatusQuery.invoice("ABC")).state());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void amountsAreReadFromStringsOrNumbers() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        assertEquals(0, new BigDecimal("207").compareTo(IntaSendProvider.amount(f.numberNode(207))));
        assertEquals(0, new BigDecimal("207.00").compareTo(IntaSendProvider.amount(f.textNode("207.00"))));
        assertNull(IntaSendProvider.amount(f.textNode("n/a")));
        assertNull(IntaSendProvider.amount(f.nullNode()));
    }

    @Test
    void completeAndCompletedBothMeanSuccess() {
        assertEquals(ProviderState.COMPLETE, ProviderState.of("COMPLETE"));
        assertEquals(ProviderState.COMPLETE, ProviderState.of("COMPLETED"));
        assertEquals(ProviderState.UNRECOGNISED, ProviderState.of("RETRY"));
    }
}
