package org.hotspotbilling.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * Safaricom's Daraja faked at the HTTP edge (docs/daraja.md), on loopback, for every test: OAuth (expires_in as a
 * number or a string), STK push with Daraja's acknowledgement, STK Push Query with its result codes as strings and
 * its "still being processed" error, and Daraja's error bodies. Stubs are keyed by the consumer key (OAuth), the
 * phone (push) or the CheckoutRequestID (query), so tests do not disturb each other. Callbacks are posted by the
 * tests themselves, in Daraja's shape.
 */
@QuarkusTestResource(DarajaFake.Resource.class)
public final class DarajaFake {

    private static WireMockServer server;

    private DarajaFake() {
    }

    public static WireMockServer server() {
        return server;
    }

    /** Issues tokens to this consumer key; {@code expiresIn} is JSON (3599 or "3599"). */
    public static void tokens(String consumerKey, String expiresIn) {
        server.stubFor(get(urlPathEqualTo("/oauth/v1/generate"))
                .withQueryParam("grant_type", equalTo("client_credentials"))
                .withBasicAuth(consumerKey, secretOf(consumerKey))
                .willReturn(json(200, "{\"access_token\":\"tok-{{randomValue length=12 type='ALPHANUMERIC'}}\","
                        + "\"expires_in\":" + expiresIn + "}").withTransformers("response-template")));
    }

    /** The consumer secret the fake expects for a consumer key (tests create credentials with it). */
    public static String secretOf(String consumerKey) {
        return "secret-" + consumerKey;
    }

    /** Accepts the push for this phone with these ids. */
    public static void pushAccepted(String phone, String merchantRequestId, String checkoutRequestId) {
        pushAnswers(phone, json(200, "{\"MerchantRequestID\":\"" + merchantRequestId + "\",\"CheckoutRequestID\":\""
                + checkoutRequestId + "\",\"ResponseCode\":\"0\",\"ResponseDescription\":\"Success. Request accepted "
                + "for processing\",\"CustomerMessage\":\"Success. Request accepted for processing\"}"));
    }

    public static void pushAnswers(String phone, ResponseDefinitionBuilder answer) {
        server.stubFor(post(urlEqualTo("/mpesa/stkpush/v1/processrequest"))
                .withRequestBody(matchingJsonPath("$.PhoneNumber", equalTo(phone)))
                .withHeader("Authorization", matching("Bearer tok-.+"))
                .willReturn(answer));
    }

    /** What STK Push Query says of a CheckoutRequestID from now on: a final result (ResultCode as a string). */
    public static void queryResult(String checkoutRequestId, String resultCode, String resultDesc) {
        queryAnswers(checkoutRequestId, json(200, "{\"ResponseCode\":\"0\",\"ResponseDescription\":\"The service "
                + "request has been accepted successsfully\",\"MerchantRequestID\":\"m-" + checkoutRequestId + "\","
                + "\"CheckoutRequestID\":\"" + checkoutRequestId + "\",\"ResultCode\":\"" + resultCode + "\","
                + "\"ResultDesc\":\"" + resultDesc + "\"}"));
    }

    /** STK Push Query while the customer has not answered: Daraja's error for "still pending". */
    public static void queryStillProcessing(String checkoutRequestId) {
        queryAnswers(checkoutRequestId, error(500, "500.001.1001", "The transaction is being processed"));
    }

    public static void queryAnswers(String checkoutRequestId, ResponseDefinitionBuilder answer) {
        server.stubFor(post(urlEqualTo("/mpesa/stkpushquery/v1/query"))
                .withRequestBody(matchingJsonPath("$.CheckoutRequestID", equalTo(checkoutRequestId)))
                .willReturn(answer));
    }

    public static ResponseDefinitionBuilder error(int status, String code, String message) {
        return json(status, "{\"requestId\":\"fake-" + System.nanoTime() + "\",\"errorCode\":\"" + code
                + "\",\"errorMessage\":\"" + message + "\"}");
    }

    public static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    public static List<LoggedRequest> tokenRequestsFor(String consumerKey) {
        return server.findAll(getRequestedFor(urlPathEqualTo("/oauth/v1/generate"))
                .withBasicAuth(new com.github.tomakehurst.wiremock.client.BasicCredentials(consumerKey,
                        secretOf(consumerKey))));
    }

    public static List<LoggedRequest> pushesFor(String phone) {
        return server.findAll(postRequestedFor(urlEqualTo("/mpesa/stkpush/v1/processrequest"))
                .withRequestBody(matchingJsonPath("$.PhoneNumber", equalTo(phone))));
    }

    public static List<LoggedRequest> queriesFor(String checkoutRequestId) {
        return server.findAll(postRequestedFor(urlEqualTo("/mpesa/stkpushquery/v1/query"))
                .withRequestBody(matchingJsonPath("$.CheckoutRequestID", equalTo(checkoutRequestId))));
    }

    /** An STK callback as Daraja posts it: ResultCode a number, metadata items by name, a Balance without value. */
    public static Map<String, Object> callback(String merchantRequestId, String checkoutRequestId, int resultCode,
            String resultDesc, String receipt, Object amount, long phone) {
        Map<String, Object> stk = new java.util.LinkedHashMap<>();
        stk.put("MerchantRequestID", merchantRequestId);
        stk.put("CheckoutRequestID", checkoutRequestId);
        stk.put("ResultCode", resultCode);
        stk.put("ResultDesc", resultDesc);
        if (resultCode == 0) {
            stk.put("CallbackMetadata", Map.of("Item", List.of(
                    Map.of("Name", "Amount", "Value", amount),
                    Map.of("Name", "MpesaReceiptNumber", "Value", receipt),
                    Map.of("Name", "Balance"),
                    Map.of("Name", "TransactionDate", "Value", 20261202102115L),
                    Map.of("Name", "PhoneNumber", "Value", phone))));
        }
        return Map.of("Body", Map.of("stkCallback", stk));
    }

    /** Starts the fake once for the whole test run and points the sandbox base URL at it. */
    public static class Resource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().containerThreads(32));
            server.start();
            return Map.of("hotspot.daraja.sandbox-url", "http://127.0.0.1:" + server.port());
        }

        @Override
        public void stop() {
            if (server != null) {
                server.stop();
            }
        }
    }
}
