package org.hotspotbilling.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * IntaSend's API faked at the HTTP edge (docs/payments.md "IntaSend"), on loopback, for every test: STK push
 * (echoing the api_ref it was sent, as IntaSend does), status, checkout and checkout details with IntaSend's
 * shapes, both error shapes, and faults (5xx, delays, resets). Stubs are keyed by the payment (api_ref) or invoice
 * they concern, so tests running on one fake do not disturb each other.
 */
@QuarkusTestResource(IntaSendFake.Resource.class)
public final class IntaSendFake {

    private static WireMockServer server;

    private IntaSendFake() {
    }

    public static WireMockServer server() {
        return server;
    }

    /** Answers an STK push for this phone with a PENDING invoice (the phone keys tests apart). */
    public static void pushAccepted(String phone, String invoiceId) {
        stub(post(urlEqualTo("/api/v1/payment/mpesa-stk-push/"))
                .withRequestBody(matchingJsonPath("$.phone_number", equalTo(phone)))
                .willReturn(json(200, "{\"id\":\"" + invoiceId + "-session\",\"invoice\":{\"invoice_id\":\"" + invoiceId
                        + "\",\"state\":\"PENDING\",\"provider\":\"M-PESA\",\"charges\":\"0.00\",\"net_amount\":\"20.00\","
                        + "\"currency\":\"KES\",\"value\":\"20.00\",\"account\":\"" + phone + "\","
                        + "\"api_ref\":\"{{jsonPath request.body '$.api_ref'}}\","
                        + "\"failed_reason\":null,\"failed_code\":null}}").withTransformers("response-template")));
    }

    /** The push for this phone ends with the given answer or fault. */
    public static void pushAnswers(String phone, ResponseDefinitionBuilder answer) {
        stub(post(urlEqualTo("/api/v1/payment/mpesa-stk-push/"))
                .withRequestBody(matchingJsonPath("$.phone_number", equalTo(phone))).willReturn(answer));
    }

    /** What the status API says about an invoice from now on; amount as a JSON string or number. */
    public static void status(String invoiceId, String state, String apiRef, String amountJson, String failedCode,
            String failedReason) {
        status(invoiceId, state, apiRef, amountJson, "KES", failedCode, failedReason);
    }

    /** As {@link #status(String, String, String, String, String, String)}, in a given currency (null: none). */
    public static void status(String invoiceId, String state, String apiRef, String amountJson, String currency,
            String failedCode, String failedReason) {
        stub(post(urlEqualTo("/api/v1/payment/status/"))
                .withRequestBody(matchingJsonPath("$.invoice_id", equalTo(invoiceId)))
                .willReturn(json(200, "{\"invoice\":{\"id\":\"" + invoiceId + "\",\"invoice_id\":\"" + invoiceId
                        + "\",\"state\":\"" + state + "\",\"provider\":\"M-PESA\",\"charges\":\"0.30\","
                        + "\"net_amount\":19.70,\"currency\":" + (currency == null ? "null" : "\"" + currency + "\"")
                        + ",\"value\":" + amountJson + ",\"account\":\"254712345678\","
                        + "\"api_ref\":" + (apiRef == null ? "null" : "\"" + apiRef + "\"")
                        + ",\"mpesa_reference\":" + ("COMPLETE".equals(state) ? "\"SFJ3ABCD12\"" : "null")
                        + ",\"failed_code\":" + (failedCode == null ? "null" : "\"" + failedCode + "\"")
                        + ",\"failed_reason\":" + (failedReason == null ? "null" : "\"" + failedReason + "\"")
                        + "},\"meta\":{\"id\":\"5aec8e0b\"}}")));
    }

    public static void statusAnswers(String invoiceId, ResponseDefinitionBuilder answer) {
        stub(post(urlEqualTo("/api/v1/payment/status/"))
                .withRequestBody(matchingJsonPath("$.invoice_id", equalTo(invoiceId))).willReturn(answer));
    }

    /** A checkout for this phone: its id, url and the signature its status calls must carry. */
    public static void checkoutAccepted(String phone, String checkoutId) {
        stub(post(urlEqualTo("/api/v1/checkout/")).withRequestBody(matchingJsonPath("$.phone_number", equalTo(phone)))
                .willReturn(json(200, "{\"id\":\"" + checkoutId + "\",\"url\":\"https://sandbox.intasend.com/checkout/"
                        + checkoutId + "/express/\",\"signature\":\"" + signature(checkoutId) + "\",\"amount\":\"20.00\","
                        + "\"currency\":\"KES\",\"api_ref\":\"{{jsonPath request.body '$.api_ref'}}\",\"paid\":false}")
                        .withTransformers("response-template")));
    }

    /** The JWT-like signature the fake hands out for a checkout (and insists on in its status calls). */
    public static String signature(String checkoutId) {
        return "eyJhbGciOiJIUzI1NiJ9." + checkoutId.replace("-", "") + ".sig";
    }

    /** What checkout details say of a checkout (answered only with its signature): paid or not, for what. */
    public static void checkoutDetails(String checkoutId, boolean paid, String apiRef, String amountJson) {
        stub(post(urlEqualTo("/api/v1/checkout/details/"))
                .withRequestBody(matchingJsonPath("$.checkout_id", equalTo(checkoutId)))
                .withRequestBody(matchingJsonPath("$.signature", equalTo(signature(checkoutId))))
                .willReturn(json(200, "{\"id\":\"" + checkoutId + "\",\"url\":\"https://sandbox.intasend.com/checkout/"
                        + checkoutId + "/express/\",\"signature\":\"" + signature(checkoutId) + "\",\"api_ref\":\"" + apiRef
                        + "\",\"amount\":" + amountJson + ",\"currency\":\"KES\",\"paid\":" + paid + ",\"is_mobile\":true}")));
    }

    public static List<LoggedRequest> checkoutDetailsCallsFor(String checkoutId) {
        return server.findAll(postRequestedFor(urlEqualTo("/api/v1/checkout/details/"))
                .withRequestBody(containing("\"" + checkoutId + "\"")));
    }

    public static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    public static ResponseDefinitionBuilder validationError(String attr, String detail) {
        return json(400, "{\"type\":\"validation_error\",\"errors\":[{\"code\":\"invalid\",\"detail\":\"" + detail
                + "\",\"attr\":\"" + attr + "\"}]}");
    }

    public static ResponseDefinitionBuilder reset() {
        return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
    }

    public static ResponseDefinitionBuilder slow(int millis) {
        return json(200, "{}").withFixedDelay(millis);
    }

    public static List<LoggedRequest> pushesFor(String phone) {
        return server.findAll(postRequestedFor(urlEqualTo("/api/v1/payment/mpesa-stk-push/"))
                .withRequestBody(containing("\"" + phone + "\"")));
    }

    public static List<LoggedRequest> statusCallsFor(String invoiceId) {
        return server.findAll(postRequestedFor(urlEqualTo("/api/v1/payment/status/"))
                .withRequestBody(containing("\"" + invoiceId + "\"")));
    }

    private static void stub(MappingBuilder mapping) {
        server.stubFor(mapping);
    }

    /** Starts the fake once for the whole test run and points the sandbox base URL at it. */
    public static class Resource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().asynchronousResponseEnabled(true)
                    .containerThreads(64));
            server.start();
            return Map.of("hotspot.intasend.sandbox-url", "http://127.0.0.1:" + server.port() + "/api/v1");
        }

        @Override
        public void stop() {
            if (server != null) {
                server.stop();
            }
        }
    }
}
