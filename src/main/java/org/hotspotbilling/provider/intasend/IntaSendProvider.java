package org.hotspotbilling.provider.intasend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import org.hotspotbilling.provider.ActiveCredential;
import org.hotspotbilling.provider.Environment;
import org.hotspotbilling.provider.PaymentProvider;
import org.hotspotbilling.provider.ProviderException;
import org.hotspotbilling.provider.ProviderHttp;
import org.hotspotbilling.provider.ProviderException.Outcome;
import org.hotspotbilling.provider.ProviderState;

import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * IntaSend's collection API as its official SDKs call it (docs/payments.md "IntaSend"): STK push with the
 * secret key as Bearer and the publishable key in header and body, status and checkout with the publishable key
 * only, trailing slashes on every path. Amounts are read from JSON strings or numbers alike.
 */
@ApplicationScoped
public class IntaSendProvider implements PaymentProvider {

    private static final String PUBLIC_KEY_HEADER = "INTASEND_PUBLIC_API_KEY";

    private final IntaSendConfig config;
    private final ObjectMapper json;
    private final ProviderHttp http;

    public IntaSendProvider(IntaSendConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
        this.http = new ProviderHttp("IntaSend", config.connectTimeout(), config.readTimeout());
    }

    @Override
    public PushResult startPush(ActiveCredential credential, PushRequest request) throws ProviderException {
        ObjectNode body = json.createObjectNode()
                .put("public_key", credential.publishableKey())
                .put("phone_number", request.phoneNumber())
                .put("amount", request.amount())
                .put("currency", request.currency())
                .put("method", "M-PESA")
                .put("api_ref", request.apiRef().toString())
                .put("narrative", request.narrative());
        JsonNode answer = post(credential, "/payment/mpesa-stk-push/", body, true);
        JsonNode invoice = answer.path("invoice");
        String invoiceId = text(invoice, "invoice_id");
        if (invoiceId == null) {
            throw new ProviderException(Outcome.UNKNOWN, 200, "IntaSend accepted the push but sent no invoice id", null);
        }
        String paymentId = text(answer, "id") == null ? invoiceId : text(answer, "id");
        String state = text(invoice, "state");
        return new PushResult(paymentId, invoiceId, ProviderState.of(state), state, "STK push sent to the phone");
    }

    /**
     * The status call (docs/payments.md "IntaSend"): by invoice id with the publishable key; for a checkout link,
     * with the checkout's id and signature instead (plus the invoice id once known), as IntaSend's SDKs send it.
     * A checkout nobody has paid yet has no invoice: its details say whether it is paid.
     */
    @Override
    public StatusResult status(ActiveCredential credential, StatusQuery query) throws ProviderException {
        if (query.checkoutId() != null && query.checkoutSignature() != null && query.invoiceId() == null) {
            return checkoutDetails(credential, query);
        }
        ObjectNode body = json.createObjectNode().put("invoice_id", query.invoiceId());
        if (query.checkoutId() != null && query.checkoutSignature() != null) {
            body.put("checkout_id", query.checkoutId()).put("signature", query.checkoutSignature());
        } else {
            body.put("public_key", credential.publishableKey());
        }
        JsonNode invoice = post(credential, "/payment/status/", body, false).path("invoice");
        String state = text(invoice, "state");
        return new StatusResult(ProviderState.of(state), state, text(invoice, "invoice_id"),
                text(invoice, "failed_code"), text(invoice, "failed_reason"), text(invoice, "mpesa_reference"),
                amount(invoice.get("value")), text(invoice, "currency"), text(invoice, "api_ref"), false);
    }

    /** A checkout's details: {@code paid} is the only state it has before an invoice exists. */
    private StatusResult checkoutDetails(ActiveCredential credential, StatusQuery query) throws ProviderException {
        ObjectNode body = json.createObjectNode().put("checkout_id", query.checkoutId())
                .put("signature", query.checkoutSignature());
        JsonNode details = post(credential, "/checkout/details/", body, false);
        boolean paid = details.path("paid").asBoolean(false);
        JsonNode invoice = details.path("invoice");
        String invoiceId = text(invoice, "invoice_id") == null ? text(details, "invoice_id") : text(invoice, "invoice_id");
        String state = paid ? "COMPLETE" : "PENDING";
        return new StatusResult(ProviderState.of(state), state, invoiceId, null, null, text(invoice, "mpesa_reference"),
                amount(details.get("amount")), text(details, "currency"), text(details, "api_ref"), false);
    }

    @Override
    public LinkResult createLink(ActiveCredential credential, PushRequest request) throws ProviderException {
        ObjectNode body = json.createObjectNode()
                .put("public_key", credential.publishableKey())
                .put("amount", request.amount())
                .put("currency", request.currency())
                .put("phone_number", request.phoneNumber())
                .put("api_ref", request.apiRef().toString())
                .put("method", "M-PESA")
                .put("comment", request.narrative());
        JsonNode answer = post(credential, "/checkout/", body, false);
        String url = text(answer, "url");
        String id = text(answer, "id");
        if (url == null || id == null) {
            throw new ProviderException(Outcome.UNKNOWN, 200, "IntaSend answered without a checkout url", null);
        }
        return new LinkResult(id, url, text(answer, "invoice_id"), "PENDING", text(answer, "signature"));
    }

    /** Amounts arrive as "10.00" or 10 depending on the endpoint and the day. */
    static BigDecimal amount(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        try {
            return value.isNumber() ? value.decimalValue() : new BigDecimal(value.asText().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private JsonNode post(ActiveCredential credential, String path, JsonNode body, boolean withSecret)
            throws ProviderException {
        HttpRequest.Builder request = http.request(baseUrl(credential) + path)
                .header("Content-Type", "application/json")
                .header(PUBLIC_KEY_HEADER, credential.publishableKey())
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        if (withSecret) {
            request.header("Authorization", "Bearer " + credential.privateKey());
        }
        HttpResponse<String> response = http.send(request.build());
        int status = response.statusCode();
        if (status >= 500) {
            throw new ProviderException(Outcome.UNKNOWN, status, "IntaSend answered " + status
                    + describeErrors(response.body()), null);
        }
        if (status >= 300) {
            throw new ProviderException(Outcome.REJECTED, status, "IntaSend refused the request (" + status + ")"
                    + describeErrors(response.body()), null);
        }
        try {
            JsonNode answer = json.readTree(response.body());
            if (answer == null || !answer.isObject()) {
                throw new ProviderException(Outcome.UNKNOWN, status, "IntaSend answered without a JSON object", null);
            }
            return answer;
        } catch (JsonProcessingException e) {
            throw new ProviderException(Outcome.UNKNOWN, status, "IntaSend answered with unreadable JSON", e);
        }
    }

    private String baseUrl(ActiveCredential credential) {
        return credential.environment() == Environment.live ? config.liveUrl() : config.sandboxUrl();
    }

    /** Both error shapes: {"errors":[{"detail","attr"}]} and the older {"detail"}. */
    private String describeErrors(String body) {
        try {
            JsonNode node = json.readTree(body == null ? "" : body);
            if (node == null) {
                return "";
            }
            List<String> details = new ArrayList<>();
            node.path("errors").forEach(error -> details.add(
                    (error.hasNonNull("attr") ? error.get("attr").asText() + ": " : "") + error.path("detail").asText()));
            if (details.isEmpty() && node.hasNonNull("detail")) {
                details.add(node.get("detail").asText());
            }
            return details.isEmpty() ? "" : ": " + String.join("; ", details);
        } catch (JsonProcessingException e) {
            return "";
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
