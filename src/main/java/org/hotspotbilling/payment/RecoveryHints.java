package org.hotspotbilling.payment;

import java.util.Map;

/**
 * What the portal or the owner can do after a failed push, by Daraja result code (IntaSend passes them through
 * as failed_code). Deterministic: the same code always yields the same hint.
 */
public final class RecoveryHints {

    /** M-Pesa result codes (docs/daraja.md "Result codes") and what can be done about each. */
    private static final Map<String, String> HINTS = Map.ofEntries(
            Map.entry("1032", "The customer cancelled the prompt: offer retry."),
            Map.entry("1031", "The customer cancelled the prompt: offer retry."),
            Map.entry("1037", "The phone could not be reached: ask the customer to retry with the phone unlocked."),
            Map.entry("1", "Insufficient funds: ask for another number or top-up."),
            Map.entry("2001", "Wrong M-Pesa PIN: offer retry and ask the customer to check the PIN."),
            Map.entry("1019", "The prompt expired before it was answered: offer retry."),
            Map.entry("17", "M-Pesa limits repeat requests: wait two minutes, then offer retry."),
            Map.entry("1001", "Another M-Pesa transaction is in progress on this phone: wait a minute, then offer retry."),
            Map.entry("26", "M-Pesa is busy: wait a minute, then offer retry."),
            Map.entry("1025", "M-Pesa could not send the prompt: offer retry; if it repeats, shorten the package name."),
            Map.entry("2", "The amount is below M-Pesa's minimum (KES 1): check the package price."),
            Map.entry("3", "The amount is above M-Pesa's limit per transaction: check the package price."),
            Map.entry("4", "The customer reached M-Pesa's daily limit: ask for another number."),
            Map.entry("8", "The paybill or till reached its maximum balance: the owner must withdraw or sweep it."),
            Map.entry("2028", "M-Pesa refused the account type (paybill or till): the owner must check the "
                    + "credential's account_type and short code."),
            Map.entry("8006", "The customer's M-Pesa is locked: they must call Safaricom (100 or 200)."),
            Map.entry("9999", "M-Pesa failed without saying why: offer retry."));

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
