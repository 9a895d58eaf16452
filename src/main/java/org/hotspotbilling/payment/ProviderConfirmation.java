package org.hotspotbilling.payment;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.hotspotbilling.payment.PaymentEvent.Source;
import org.hotspotbilling.provider.ActiveCredential;
import org.hotspotbilling.provider.CredentialService;
import org.hotspotbilling.provider.PaymentProvider.StatusQuery;
import org.hotspotbilling.provider.PaymentProvider.StatusResult;
import org.hotspotbilling.provider.ProviderException;
import org.hotspotbilling.provider.ProviderState;
import org.hotspotbilling.provider.Providers;
import org.jboss.logging.Logger;

import java.util.Locale;
import java.util.UUID;

/**
 * The one way a provider's word settles a payment, for check-status, the webhook's confirmation and the
 * reconciler alike (docs/payments.md "Confirmation"): ask the provider's status API, check that its answer names
 * this payment, then apply it under the row lock. Preparing (what to ask with) happens inside the caller's
 * read transaction; asking happens outside any transaction; applying is a transaction of its own.
 */
@ApplicationScoped
public class ProviderConfirmation {

    static final String NO_CREDENTIAL = "The payment credential this payment was made with no longer exists, so "
            + "the provider cannot be asked about it";

    private static final Logger LOG = Logger.getLogger(ProviderConfirmation.class);

    private final CredentialService credentials;
    private final Providers providers;
    private final PaymentSettlement settlement;

    public ProviderConfirmation(CredentialService credentials, Providers providers, PaymentSettlement settlement) {
        this.credentials = credentials;
        this.providers = providers;
        this.settlement = settlement;
    }

    /** What a confirmation came to. */
    public enum Kind {
        /** The payment was already completed: nothing was asked. */
        ALREADY_COMPLETED,
        /** The provider's answer settled it (completed, late success or failed). */
        SETTLED,
        /** The provider answered, and the answer changes no status (still pending, or still unpaid). */
        ANSWERED,
        /** The provider could not be asked or did not answer (error, timeout): nothing is known. */
        NO_ANSWER,
        /** The provider answered about something that is not this payment: not applied. */
        MISMATCH,
        /** We know no invoice or checkout of it, so there is nothing to ask the provider by. */
        NOTHING_TO_ASK,
        /** Its credential is gone: only the owner can settle it (requires_recovery recorded). */
        NO_CREDENTIAL
    }

    public record Outcome(Kind kind, Payment payment, String rawState) {
    }

    /** A payment ready to be asked about, or the outcome when it need not or cannot be. */
    public record Prepared(Payment payment, ActiveCredential credential, StatusQuery query, Outcome outcome) {

        public boolean ready() {
            return outcome == null;
        }
    }

    /** Inside the caller's transaction: what to ask the provider with. Records requires_recovery when nothing can. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Prepared prepare(Payment payment, Source source) {
        if (payment.status == PaymentStatus.completed) {
            return new Prepared(payment, null, null, new Outcome(Kind.ALREADY_COMPLETED, payment, null));
        }
        StatusQuery query = payment.statusQuery();
        if (query == null) {
            return new Prepared(payment, null, null, new Outcome(Kind.NOTHING_TO_ASK, payment, null));
        }
        ActiveCredential credential = payment.credentialId == null ? null
                : credentials.byId(payment.credentialId).orElse(null);
        if (credential == null) {
            Payment marked = settlement.needsOwner(payment.id, source, NO_CREDENTIAL);
            return new Prepared(marked, null, null, new Outcome(Kind.NO_CREDENTIAL, marked, null));
        }
        return new Prepared(payment, credential, query, null);
    }

    /** Outside any transaction: asks the provider, checks the answer names the payment, applies it. */
    public Outcome ask(Prepared prepared, Source source) {
        Payment payment = prepared.payment();
        StatusResult status;
        try {
            status = providers.forCredential(prepared.credential()).status(prepared.credential(), prepared.query());
        } catch (ProviderException e) {
            LOG.infof("Status of payment %s not available from the provider: %s", payment.id, e.getMessage());
            return new Outcome(Kind.NO_ANSWER, payment, null);
        }
        String invoice = status.invoiceId() != null ? status.invoiceId() : prepared.query().invoiceId();
        String mismatch = mismatch(payment, status);
        if (mismatch != null) {
            LOG.warnf("Status of invoice %s not applied to payment %s: %s", invoice, payment.id, mismatch);
            return new Outcome(Kind.MISMATCH, settlement.mismatch(payment.id, source, invoice, mismatch),
                    status.rawState());
        }
        return apply(payment, source, status, invoice);
    }

    private Outcome apply(Payment payment, Source source, StatusResult status, String invoice) {
        Payment after = switch (status.state()) {
            case COMPLETE -> settlement.complete(payment.id, source,
                    status.mpesaReference() != null ? status.mpesaReference() : payment.mpesaReceipt,
                    "Confirmed by the provider" + (invoice == null ? "" : " (invoice " + invoice + ")"));
            case FAILED -> settlement.fail(payment.id, source, status.failedCode(), status.failedReason() == null
                    ? "Payment " + status.rawState().toLowerCase(Locale.ROOT) + " at the provider"
                    : status.failedReason());
            case PENDING, PROCESSING, UNRECOGNISED -> settlement.stillOpen(payment.id, source, status.rawState(),
                    invoice);
        };
        boolean settled = after.status == PaymentStatus.completed
                || (payment.status.open() && !after.status.open());
        return new Outcome(settled ? Kind.SETTLED : Kind.ANSWERED, after, status.rawState());
    }

    /**
     * Why a provider's answer must not settle this payment, or null when it may. A success must name this payment
     * as its reference and be for its amount and currency, unless it is bound to the request our own push made;
     * any answer naming another reference or invoice is not about this payment (docs/payments.md "Confirmation").
     */
    static String mismatch(Payment payment, StatusResult status) {
        if (status.apiRef() != null && !status.apiRef().equals(payment.id.toString())) {
            return "the invoice belongs to another reference (" + status.apiRef() + ")";
        }
        if (payment.intasendInvoiceId != null && status.invoiceId() != null
                && !payment.intasendInvoiceId.equals(status.invoiceId())) {
            return "the answer is about invoice " + status.invoiceId() + ", not " + payment.intasendInvoiceId;
        }
        if (status.state() != ProviderState.COMPLETE || status.requestBound()) {
            return null; // a request-bound answer is about our own push, for our amount (docs/daraja.md)
        }
        if (status.apiRef() == null) {
            return "the success names no reference (api_ref)";
        }
        if (status.amount() == null || status.amount().compareTo(payment.amount) != 0) {
            return "the invoice is for " + (status.amount() == null ? "no stated amount" : status.amount().toPlainString())
                    + ", not " + payment.amount.toPlainString();
        }
        if (status.currency() == null || !status.currency().equalsIgnoreCase(payment.currency)) {
            return "the invoice is in " + (status.currency() == null ? "no stated currency" : status.currency())
                    + ", not " + payment.currency;
        }
        return null;
    }

    /** The one payment a provider's word names, by its invoice id, checkout id or our reference. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Payment named(long ownerId, String invoiceId, String checkoutId, String apiRef) {
        if (invoiceId != null) {
            Payment byInvoice = Payment.<Payment>find("ownerId = ?1 and intasendInvoiceId = ?2", ownerId, invoiceId)
                    .firstResult();
            if (byInvoice != null) {
                return byInvoice;
            }
        }
        if (checkoutId != null) {
            Payment byCheckout = Payment.<Payment>find("ownerId = ?1 and checkoutId = ?2", ownerId, checkoutId)
                    .firstResult();
            if (byCheckout != null) {
                return byCheckout;
            }
        }
        UUID ref = uuid(apiRef);
        Payment byRef = ref == null ? null : Payment.findById(ref);
        return byRef != null && byRef.ownerId == ownerId ? byRef : null;
    }

    private static UUID uuid(String value) {
        try {
            return value == null ? null : UUID.fromString(value.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
