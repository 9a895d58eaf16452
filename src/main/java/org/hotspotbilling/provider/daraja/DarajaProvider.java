package org.hotspotbilling.provider.daraja;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.hotspotbilling.provider.ActiveCredential;
import org.hotspotbilling.provider.DarajaAccountType;
import org.hotspotbilling.provider.Environment;
import org.hotspotbilling.provider.PaymentProvider;
import org.hotspotbilling.provider.ProviderException;
import org.hotspotbilling.provider.ProviderException.Outcome;
import org.hotspotbilling.provider.ProviderHttp;
import org.hotspotbilling.provider.ProviderState;
import org.hotspotbilling.web.RateLimiter;
import org.hotspotbilling.web.TooManyRequests;

import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * Safaricom's M-Pesa Express (STK push) through Daraja, as docs/daraja.md describes it: OAuth client credentials,
 * {@code processrequest} for the push and {@code stkpushquery} for its status, with Daraja's quirks (result codes
 * as numbers or strings, the query's "still being processed" error, errors with HTTP 500 that are definite
 * refusals).
 */
@ApplicationScoped
public class DarajaProvider implements PaymentProvider {

    /** AccountReference is shown on the customer's prompt and must be at most 12 characters. */
    static final int ACCOUNT_REFERENCE_MAX = 12;
    /** TransactionDesc is at most 13 characters. */
    static final int TRANSACTION_DESC_MAX = 13;
    /** Error codes Daraja answers with HTTP 500 although nothing was sent to the phone (docs/daraja.md "Errors"). */
    private static final Set<String> DEFINITE_REFUSALS = Set.of("500.001.1001", "500.003.02", "500.003.03");
    private static final String INVALID_TOKEN = "404.001.03";
    private static final String BEING_PROCESSED = "The transaction is being processed";

    /** STK Push Query calls per credential, shared by all instances (docs/daraja.md "Query rate"). */
    static final String QUERY_LIMIT = "daraja-query-per-credential";

    private final DarajaConfig config;
    private final RateLimiter rateLimiter;
    private final ObjectMapper json;
    private final ProviderHttp http;
    private final DarajaTokens tokens;
    private final Clock clock;

    @Inject
    public DarajaProvider(DarajaConfig config, RateLimiter rateLimiter, ObjectMapper json) {
        this(config, rateLimiter, json, Clock.systemUTC());
    }

    DarajaProvider(DarajaConfig config, RateLimiter rateLimiter, ObjectMapper json, Clock clock) {
        this.config = config;
        this.rateLimiter = rateLimiter;
        this.json = json;
        this.clock = clock;
        this.http = new ProviderHttp("M-Pesa Daraja", config.connectTimeout(), config.readTimeout());
        this.tokens = new DarajaTokens(this::fetchToken);
    }

    @Override
    public PushResult startPush(ActiveCredential credential, PushRequest request) throws ProviderException {
        ActiveCredential.DarajaAccount account = credential.daraja();
        String timestamp = timestamp();
        ObjectNode body = json.createObjectNode()
                .put("BusinessShortCode", account.shortCode())
                .put("Password", password(account, timestamp))
                .put("Timestamp", timestamp)
                .put("TransactionType", account.type() == DarajaAccountType.till ? "CustomerBuyGoodsOnline"
                        : "CustomerPayBillOnline")
                .put("Amount", wholeShillings(request.amount()))
                .put("PartyA", request.phoneNumber())
                .put("PartyB", account.partyB())
                .put("PhoneNumber", request.phoneNumber())
                .put("CallBackURL", request.callbackUrl())
                .put("AccountReference", accountReference(request))
                .put("TransactionDesc", shorten(request.narrative(), TRANSACTION_DESC_MAX));
        JsonNode answer = post(credential, "/mpesa/stkpush/v1/processrequest", body);
        String code = text(answer, "ResponseCode");
        String checkout = text(answer, "CheckoutRequestID");
        if (code != null && !"0".equals(code.trim())) {
            throw new ProviderException(Outcome.REJECTED, 200, "M-Pesa refused the request: "
                    + text(answer, "ResponseDescription"), null);
        }
        if (code == null || checkout == null) {
            throw new ProviderException(Outcome.UNKNOWN, 200, "M-Pesa accepted the push but sent no "
                    + "CheckoutRequestID", null);
        }
        return new PushResult(text(answer, "MerchantRequestID"), checkout, ProviderState.PENDING, "PENDING",
                text(answer, "CustomerMessage") == null ? "STK push sent to the phone" : text(answer, "CustomerMessage"));
    }

    /**
     * STK Push Query for the push's CheckoutRequestID. Its answer is about the very request our push made (only
     * our push could have obtained that id), so it needs no reference or amount of its own.
     */
    @Override
    public StatusResult status(ActiveCredential credential, StatusQuery query) throws ProviderException {
        try {
            rateLimiter.consume(QUERY_LIMIT, String.valueOf(credential.id()));
        } catch (TooManyRequests e) {
            // Not asked, so nothing is known: the reconciler asks again after its backoff.
            throw new ProviderException(Outcome.REJECTED, 429, "M-Pesa query rate reached for this account", e);
        }
        ActiveCredential.DarajaAccount account = credential.daraja();
        String timestamp = timestamp();
        ObjectNode body = json.createObjectNode()
                .put("BusinessShortCode", account.shortCode())
                .put("Password", password(account, timestamp))
                .put("Timestamp", timestamp)
                .put("CheckoutRequestID", query.invoiceId());
        JsonNode answer;
        try {
            answer = post(credential, "/mpesa/stkpushquery/v1/query", body);
        } catch (DarajaError e) {
            if (e.message != null && e.message.startsWith(BEING_PROCESSED)) {
                // The customer has not answered the prompt yet: Daraja's standard "still pending".
                return new StatusResult(ProviderState.PENDING, "PENDING", query.invoiceId(), null, null, null, null,
                        null, null, true);
            }
            throw e;
        }
        String result = text(answer, "ResultCode");
        if (result == null) {
            return new StatusResult(ProviderState.UNRECOGNISED, text(answer, "ResponseDescription"), query.invoiceId(),
                    null, null, null, null, null, null, true);
        }
        String desc = text(answer, "ResultDesc");
        return "0".equals(result.trim())
                ? new StatusResult(ProviderState.COMPLETE, "0", query.invoiceId(), null, null, null, null, "KES", null,
                        true)
                : new StatusResult(ProviderState.FAILED, result.trim(), query.invoiceId(), result.trim(), desc, null,
                        null, null, null, true);
    }

    @Override
    public LinkResult createLink(ActiveCredential credential, PushRequest request) throws ProviderException {
        throw new ProviderException(Outcome.REJECTED, 0, "M-Pesa Daraja has no payment links", null);
    }

    private JsonNode post(ActiveCredential credential, String path, JsonNode body) throws ProviderException {
        String token = tokens.token(credential);
        try {
            return send(credential, path, body, token);
        } catch (DarajaError e) {
            if (!INVALID_TOKEN.equals(e.code)) {
                throw e;
            }
            // Daraja refused the token (it was replaced, or expired early): nothing was done, so one retry with a
            // new token is safe.
            tokens.refused(credential, token);
            return send(credential, path, body, tokens.token(credential));
        }
    }

    private JsonNode send(ActiveCredential credential, String path, JsonNode body, String token)
            throws ProviderException {
        HttpResponse<String> response = http.send(http.request(baseUrl(credential) + path)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build());
        JsonNode answer = readObject(response.body());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            if (answer == null) {
                throw new ProviderException(Outcome.UNKNOWN, status, "M-Pesa answered without a JSON object", null);
            }
            return answer;
        }
        String code = answer == null ? null : text(answer, "errorCode");
        String message = answer == null ? null : text(answer, "errorMessage");
        Outcome outcome = status < 500 || DEFINITE_REFUSALS.contains(code) ? Outcome.REJECTED : Outcome.UNKNOWN;
        throw new DarajaError(outcome, status, code, message);
    }

    private DarajaTokens.Token fetchToken(ActiveCredential credential) throws ProviderException {
        String basic = Base64.getEncoder().encodeToString((credential.publishableKey() + ":"
                + credential.privateKey()).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(http.request(baseUrl(credential)
                        + "/oauth/v1/generate?grant_type=client_credentials")
                .header("Authorization", "Basic " + basic).GET().build());
        JsonNode answer = readObject(response.body());
        if (response.statusCode() != 200 || answer == null || text(answer, "access_token") == null) {
            // No push was attempted: whatever went wrong, nothing reached a phone.
            throw new ProviderException(Outcome.REJECTED, response.statusCode(), "M-Pesa refused the consumer key "
                    + "and secret" + (answer == null || text(answer, "errorMessage") == null ? ""
                            : ": " + text(answer, "errorMessage")), null);
        }
        long expiresIn;
        try {
            expiresIn = Long.parseLong(text(answer, "expires_in").trim()); // a number, or the same as a string
        } catch (RuntimeException e) {
            expiresIn = 3599;
        }
        return new DarajaTokens.Token(text(answer, "access_token"),
                DarajaTokens.renewAt(Instant.now(clock), expiresIn, config.tokenRenewBefore()));
    }

    String timestamp() {
        return DarajaTime.timestamp(Instant.now(clock));
    }

    static String password(ActiveCredential.DarajaAccount account, String timestamp) {
        return Base64.getEncoder().encodeToString((account.shortCode() + account.passkey() + timestamp)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Daraja takes whole shillings only; initiate refuses other prices before anything is written. */
    static long wholeShillings(BigDecimal amount) {
        return amount.setScale(0, java.math.RoundingMode.UNNECESSARY).longValueExact();
    }

    /** "WIFI" and the start of our payment id: recognisable on the prompt, and within Daraja's 12 characters. */
    static String accountReference(PushRequest request) {
        return ("WIFI" + request.apiRef().toString().replace("-", "")).substring(0, ACCOUNT_REFERENCE_MAX)
                .toUpperCase(Locale.ROOT);
    }

    static String shorten(String text, int max) {
        String value = text == null || text.isBlank() ? "WiFi" : text.strip();
        return value.length() <= max ? value : value.substring(0, max).strip();
    }

    private String baseUrl(ActiveCredential credential) {
        return credential.environment() == Environment.live ? config.liveUrl() : config.sandboxUrl();
    }

    private JsonNode readObject(String body) {
        try {
            JsonNode node = json.readTree(body == null ? "" : body);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** A Daraja error answer: {@code {"requestId", "errorCode", "errorMessage"}}. */
    static final class DarajaError extends ProviderException {
        final String code;
        final String message;

        DarajaError(Outcome outcome, int status, String code, String message) {
            super(outcome, status, "M-Pesa answered " + status + (code == null ? "" : " " + code)
                    + (message == null ? "" : ": " + message), null);
            this.code = code;
            this.message = message;
        }
    }
}
