package org.hotspotbilling.payment;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.hotspotbilling.payment.PaymentEvent.Source;
import org.hotspotbilling.provider.ActiveCredential;
import org.hotspotbilling.provider.CredentialService;
import org.hotspotbilling.provider.PaymentProvider;
import org.hotspotbilling.provider.ProviderException;
import org.hotspotbilling.provider.ProviderState;
import org.hotspotbilling.provider.Providers;
import org.hotspotbilling.web.Invalid;
import org.hotspotbilling.web.NotFound;
import org.hotspotbilling.web.Unauthenticated;
import org.jboss.logging.Logger;

import java.util.UUID;

/**
 * Applies IntaSend webhooks. The challenge is a static secret, so a delivery never settles a payment by itself:
 * a final state is confirmed with IntaSend's status API, whose answer must name this payment (api_ref) and its
 * amount. Deliveries repeat and arrive out of order; settlement is idempotent and monotonic.
 */
@ApplicationScoped
public class WebhookService {

    private static final Logger LOG = Logger.getLogger(WebhookService.class);

    private final CredentialService credentials;
    private final Providers providers;
    private final PaymentService payments;
    private final PaymentSettlement settlement;

    public WebhookService(CredentialService credentials, Providers providers, PaymentService payments,
            PaymentSettlement settlement) {
        this.credentials = credentials;
        this.providers = providers;
        this.payments = payments;
        this.settlement = settlement;
    }

    public record Processed(String message, UUID paymentId, PaymentStatus status) {
    }

    public Processed receive(String token, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new Invalid("Webhook body must be a JSON object");
        }
        String invoiceId = text(body, "invoice_id");
        ProviderState claimed = ProviderState.of(text(body, "state"));
        // What the delivery needs from the database, read in one transaction; the provider is asked outside it.
        Delivery delivery = QuarkusTransaction.joiningExisting().call(() -> read(token, body, invoiceId, claimed));
        Payment payment = delivery.payment();
        if (!claimed.isFinal()) {
            Payment open = settlement.stillOpen(payment.id, Source.webhook, text(body, "state"), invoiceId);
            return new Processed("Webhook processed", open.id, open.status);
        }
        if (claimed == ProviderState.COMPLETE && payment.status == PaymentStatus.completed) {
            // Already settled (a poll or an earlier delivery confirmed it): confirming again would change nothing.
            return new Processed("Webhook processed", payment.id, payment.status);
        }
        Payment settled = confirm(payment, delivery.credential(),
                invoiceId == null ? payment.intasendInvoiceId : invoiceId);
        return new Processed("Webhook processed", settled.id, settled.status);
    }

    /** The delivery's payment, and for a final state the credential to confirm it with. */
    private record Delivery(Payment payment, ActiveCredential credential) {
    }

    private Delivery read(String token, JsonNode body, String invoiceId, ProviderState claimed) {
        CredentialService.WebhookEndpoint endpoint = credentials.webhookEndpoint(token, text(body, "challenge"))
                .orElseThrow(() -> {
                    LOG.warn("Webhook for an unknown callback token");
                    return new NotFound("Unknown webhook");
                });
        if (!endpoint.challengeValid()) {
            // Logged without the challenge or the token.
            LOG.warnf("Webhook with a wrong or unset challenge for owner %d", endpoint.ownerId());
            throw new Unauthenticated("Invalid webhook challenge");
        }
        Payment payment = find(endpoint.ownerId(), invoiceId, text(body, "api_ref"));
        if (payment == null) {
            LOG.warnf("Webhook for an unknown invoice of owner %d", endpoint.ownerId());
            throw new NotFound("Unknown invoice");
        }
        ActiveCredential credential = claimed.isFinal() && payment.credentialId != null
                ? credentials.byId(payment.credentialId).orElse(null) : null;
        return new Delivery(payment, credential);
    }

    /** Asks IntaSend itself where the invoice stands, and applies only that. */
    private Payment confirm(Payment payment, ActiveCredential credential, String invoiceId) {
        if (credential == null || invoiceId == null) {
            return payment;
        }
        PaymentProvider.StatusResult status;
        try {
            status = providers.forCredential(credential).status(credential, invoiceId);
        } catch (ProviderException e) {
            // The reconciler will ask again; the delivery is acknowledged so IntaSend keeps the webhook enabled.
            LOG.infof("Could not confirm webhook for payment %s: %s", payment.id, e.getMessage());
            return payment;
        }
        String mismatch = PaymentService.mismatch(payment, status);
        if (mismatch != null) {
            LOG.warnf("Webhook for payment %s named invoice %s, not applied: %s", payment.id, invoiceId, mismatch);
            return payment;
        }
        return payments.apply(payment.id, Source.webhook, status, invoiceId);
    }

    @Transactional
    Payment find(long ownerId, String invoiceId, String apiRef) {
        if (invoiceId != null) {
            Payment byInvoice = Payment.<Payment>find("ownerId = ?1 and intasendInvoiceId = ?2", ownerId, invoiceId)
                    .firstResult();
            if (byInvoice != null) {
                return byInvoice;
            }
        }
        UUID ref = uuid(apiRef);
        Payment byRef = ref == null ? null : Payment.findById(ref);
        return byRef != null && byRef.ownerId == ownerId ? byRef : null;
    }

    private static UUID uuid(String value) {
        try {
            return value == null ? null : UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
