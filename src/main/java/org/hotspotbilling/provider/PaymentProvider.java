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

    /** Where an invoice stands now. */
    StatusResult status(ActiveCredential credential, String invoiceId) throws ProviderException;

    /** A hosted checkout link the customer opens to pay. */
    LinkResult createLink(ActiveCredential credential, PushRequest request) throws ProviderException;

    record PushRequest(UUID apiRef, String phoneNumber, BigDecimal amount, String currency, String narrative) {
    }

    record PushResult(String paymentId, String invoiceId, ProviderState state, String rawState, String message) {
    }

    record LinkResult(String paymentId, String url, String invoiceId, String rawState) {
    }

    /**
     * The provider's view of an invoice. {@code failedCode}/{@code failedReason} are Daraja-style result codes
     * when the provider passes them through (1032 cancelled, 1037 timeout, 1 insufficient funds, 2001 wrong PIN).
     */
    record StatusResult(ProviderState state, String rawState, String failedCode, String failedReason,
            String mpesaReference, BigDecimal amount, String apiRef) {
    }
}
