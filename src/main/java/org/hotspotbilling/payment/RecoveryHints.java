package org.hotspotbilling.payment;

import java.util.Map;

/**
 * What the portal or the owner can do after a failed push, by Daraja result code (IntaSend passes them through
 * as failed_code). Deterministic: the same code always yields the same hint.
 */
public final class RecoveryHints {

    private static final Map<String, String> HINTS = Map.of(
            "1032", "The customer cancelled the prompt: offer retry.",
            "1037", "The phone could not be reached: ask the customer to retry with the phone unlocked.",
            "1", "Insufficient funds: ask for another number or top-up.",
            "2001", "Wrong M-Pesa PIN: offer retry and ask the customer to check the PIN.",
            "1019", "The prompt expired before it was answered: offer retry.",
            "17", "M-Pesa limits repeat requests: wait two minutes, then offer retry.",
            "1001", "Another M-Pesa transaction is in progress on this phone: wait a minute, then offer retry.");

    private RecoveryHints() {
    }

    /** The hint for a result code, or null when the failure is not recoverable by the customer. */
    public static String forCode(String code) {
        return code == null ? null : HINTS.get(code.trim());
    }

    /** The hint when a provider answer about the payment did not match it. */
    public static final String MISMATCH = "The provider's answer did not match this payment (reference, amount or "
            + "currency), so it was not applied: check the payment in the provider's dashboard.";

    /** The hint when only the owner can settle the payment. */
    public static final String OWNER_MUST_SETTLE = "Look the payment up in the provider's dashboard by its id "
            + "(api_ref), then mark it completed or failed.";

    /** The hint when the provider's outcome is unknown. */
    public static final String UNKNOWN_OUTCOME = "The provider's answer was lost: keep checking status; the webhook "
            + "or the reconciler will settle it. Do not start another payment for the same purchase yet.";
}
