package org.hotspotbilling.provider;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * One payment provider. Every call carries our payment id as the provider's reference ({@code api_ref}), so any
 * later word from the provider can be matched to the payment even when we never saw its invoice id.
 * Calls are blocking and must be made outside any database transaction.
 */
public interface PaymentProvider {

    /** An M-Pesa STK push to the customer's phone. */
    PushResult startPush(ActiveCredential credential, PushRequest request) throws ProviderException;

    /** Where a payment stands now at the provider, asked by what we know of it. */
    StatusResult status(ActiveCredential credential, StatusQuery query) throws ProviderException;

    /** A hosted checkout link the customer opens to pay. */
    LinkResult createLink(ActiveCredential credential, PushRequest request) throws ProviderException;

    /** A push: our reference, the customer, what for, and where the provider posts its result (Daraja). */
    record PushRequest(UUID apiRef, String phoneNumber, BigDecimal amount, String currency, String narrative,
            String callbackUrl) {
    }

    record PushResult(String paymentId, String invoiceId, ProviderState state, String rawState, String message) {
    }

    /** A checkout: its id and signature are what its status is asked with; the invoice exists once paid. */
    record LinkResult(String paymentId, String url, String invoiceId, String rawState, String signature) {
    }

    /**
     * What the provider knows a payment by: its invoice id, or for a checkout link the checkout's id and signature
     * (with the invoice id once a webhook has told us). At least one of invoiceId and checkoutId is set.
     */
    record StatusQuery(String invoiceId, String checkoutId, String checkoutSignature) {

        public static StatusQuery invoice(String invoiceId) {
            return new StatusQuery(invoiceId, null, null);
        }
    }

    /**
     * The provider's view of a payment. {@code failedCode}/{@code failedReason} are Daraja-style result codes
     * when the provider passes them through (1032 cancelled, 1037 timeout, 1 insufficient funds, 2001 wrong PIN).
     * {@code apiRef}, {@code amount} and {@code currency} are what the provider says the payment is for: a success
     * is applied only when they name ours (docs/payments.md "Confirmation"), unless {@code requestBound}: the
     * answer is about the very request our push made, by an id only that push could have obtained (Daraja's
     * CheckoutRequestID), so it is about our payment and our amount by construction.
     */
    record StatusResult(ProviderState state, String rawState, String invoiceId, String failedCode,
            String failedReason, String mpesaReference, BigDecimal amount, String currency, String apiRef,
            boolean requestBound) {
    }
}
