package org.hotspotbilling.payment;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.hotspotbilling.payment.PaymentEvent.Source;
import jakarta.persistence.PersistenceException;
import org.hotspotbilling.provider.CredentialService;
import org.hotspotbilling.provider.ProviderName;
import org.hotspotbilling.web.DatabaseErrors;
import org.hotspotbilling.web.Invalid;
import org.hotspotbilling.web.NotFound;
import org.hotspotbilling.web.Unauthenticated;
import org.jboss.logging.Logger;

import java.util.UUID;

/**
 * Receives IntaSend webhooks (docs/payments.md "Webhooks"). The challenge is a static secret, so a delivery never
 * settles a payment by itself: what it says is recorded under the payment's row lock (the invoice id it names,
 * the state it claims) together with a durable "ask the provider now" mark, the delivery is answered at once, and
 * the confirmation with IntaSend's status API runs after it ({@link Reconciler#confirmNow}, or any instance's
 * next reconciler run if this one dies). No status-API trouble can lose the word or slow the answer.
 *
 * <p>IntaSend switches a webhook off after repeated failures, so every delivery that carries the right challenge
 * answers 200, including those we cannot use (another integration's invoice, a dashboard test): they are logged
 * and counted on the credential ({@link WebhookStats}). A wrong challenge is 401.
 */
@ApplicationScoped
public class WebhookService {

    private static final Logger LOG = Logger.getLogger(WebhookService.class);

    private final CredentialService credentials;
    private final ProviderConfirmation confirmation;
    private final PaymentSettlement settlement;
    private final Reconciler reconciler;
    private final WebhookStats stats;

    public WebhookService(CredentialService credentials, ProviderConfirmation confirmation,
            PaymentSettlement settlement, Reconciler reconciler, WebhookStats stats) {
        this.credentials = credentials;
        this.confirmation = confirmation;
        this.settlement = settlement;
        this.reconciler = reconciler;
        this.stats = stats;
    }

    /** The answer: what became of the delivery, and the payment it named (null when none of ours). */
    public record Processed(String message, UUID paymentId, PaymentStatus status) {
    }

    private record Recorded(Processed answer, boolean confirmNow) {
    }

    public Processed receive(String token, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new Invalid("Webhook body must be a JSON object");
        }
        Recorded recorded = QuarkusTransaction.requiringNew().call(() -> record(token, body));
        if (recorded.confirmNow()) {
            reconciler.confirmNow(recorded.answer().paymentId());
        }
        return recorded.answer();
    }

    private Recorded record(String token, JsonNode body) {
        CredentialService.WebhookEndpoint endpoint = credentials.webhookEndpoint(token, text(body, "challenge"))
                .filter(e -> e.provider() == ProviderName.instasend)
                .orElseThrow(() -> {
                    LOG.warn("Webhook for an unknown callback token");
                    stats.unknownUrl(ProviderName.instasend);
                    return new NotFound("Unknown webhook");
                });
        if (!endpoint.challengeValid()) {
            // Logged without the challenge or the token.
            LOG.warnf("Webhook with a wrong or unset challenge for credential %d", endpoint.credentialId());
            stats.rejected(endpoint.provider(), endpoint.credentialId());
            throw new Unauthenticated("Invalid webhook challenge");
        }
        String invoiceId = text(body, "invoice_id");
        String state = text(body, "state");
        Payment payment = confirmation.named(endpoint.ownerId(), invoiceId, text(body, "checkout_id"),
                text(body, "api_ref"));
        if (payment == null) {
            LOG.infof("Webhook for credential %d names no payment of ours (invoice %s, state %s): ignored",
                    endpoint.credentialId(), invoiceId, state);
            stats.ignored(endpoint.provider(), endpoint.credentialId());
            return new Recorded(new Processed("Webhook received; it names no payment of this account, so it was "
                    + "ignored", null, null), false);
        }
        boolean confirmNow = settlement.notice(payment.id, Source.webhook, invoiceId, state);
        stats.accepted(endpoint.provider(), endpoint.credentialId());
        return new Recorded(new Processed("Webhook processed", payment.id, payment.status), confirmNow);
    }

    /**
     * An M-Pesa Daraja STK callback (docs/daraja.md "Callback"). Daraja signs nothing, so the unguessable URL is
     * the first gate and no callback settles anything by itself: what it says is recorded under the payment's row
     * lock with the "ask the provider now" mark, and STK Push Query decides. Answered with Daraja's
     * acknowledgement; never a 5xx for a callback we understood.
     */
    public DarajaCallback.Ack receiveDaraja(String token, JsonNode body) {
        DarajaCallback callback = DarajaCallback.parse(body)
                .orElseThrow(() -> new Invalid("Not an M-Pesa STK callback: Body.stkCallback with "
                        + "CheckoutRequestID and ResultCode is required"));
        Recorded recorded;
        try {
            recorded = QuarkusTransaction.requiringNew().call(() -> recordDaraja(token, callback));
        } catch (PersistenceException e) {
            if (!DatabaseErrors.isUniqueViolation(e)) {
                throw e;
            }
            // Two callbacks raced for one receipt: the loser's claim is a mismatch, and the query still decides.
            recorded = QuarkusTransaction.requiringNew().call(() -> recordDaraja(token, callback));
        }
        if (recorded.confirmNow()) {
            reconciler.confirmNow(recorded.answer().paymentId());
        }
        return DarajaCallback.Ack.ACCEPTED;
    }

    private Recorded recordDaraja(String token, DarajaCallback callback) {
        CredentialService.WebhookEndpoint endpoint = credentials.webhookEndpoint(token, null)
                .filter(e -> e.provider() == ProviderName.mpesa)
                .orElseThrow(() -> {
                    LOG.warn("M-Pesa callback for an unknown callback token");
                    stats.unknownUrl(ProviderName.mpesa);
                    return new NotFound("Unknown webhook");
                });
        Payment payment = confirmation.named(endpoint.ownerId(), callback.checkoutRequestId(), null, null);
        if (payment == null) {
            payment = adoptable(endpoint, callback);
        }
        if (payment == null) {
            LOG.infof("M-Pesa callback for credential %d names no payment of ours (CheckoutRequestID %s): ignored",
                    endpoint.credentialId(), callback.checkoutRequestId());
            stats.ignored(endpoint.provider(), endpoint.credentialId());
            return new Recorded(new Processed("Callback received; it names no payment of this account", null, null),
                    false);
        }
        boolean confirmNow = settlement.mpesaNotice(payment.id, callback);
        stats.accepted(endpoint.provider(), endpoint.credentialId());
        return new Recorded(new Processed("Callback processed", payment.id, payment.status), confirmNow);
    }

    /**
     * A success callback for a push whose answer we never got (so we never learnt its CheckoutRequestID) belongs
     * to the one open M-Pesa payment of this account, from the same phone, for the same amount, that has no
     * CheckoutRequestID, when there is exactly one (docs/daraja.md "Callback"). The query then confirms it.
     */
    private static Payment adoptable(CredentialService.WebhookEndpoint endpoint, DarajaCallback callback) {
        if (!callback.succeeded() || callback.phoneNumber() == null || callback.amount() == null) {
            return null;
        }
        java.util.List<Payment> candidates = Payment.<Payment>find("ownerId = ?1 and credentialId = ?2 and "
                        + "intasendInvoiceId is null and phoneNumber = ?3 and amount = ?4 and status in ?5",
                endpoint.ownerId(), endpoint.credentialId(), callback.phoneNumber(), callback.amount(),
                java.util.List.of(PaymentStatus.pending, PaymentStatus.processing)).page(0, 2).list();
        return candidates.size() == 1 ? candidates.get(0) : null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : storable(value.asText());
    }

    /**
     * A provider's text as PostgreSQL can store it: NUL cannot be, and a delivery must never fail on it (IntaSend
     * switches off a webhook that keeps failing), so it is dropped.
     */
    static String storable(String text) {
        return text == null || text.indexOf('\0') < 0 ? text : text.replace("\0", "");
    }
}
