package org.hotspotbilling.provider;

/**
 * A provider call that did not succeed, classified by what it says about the customer's money
 * (docs/payments.md "Provider outcomes"): {@link Outcome#REJECTED} means the provider certainly did not act (a 4xx
 * answer, or no connection was ever made); {@link Outcome#UNKNOWN} means it may have (timeout, reset, 5xx,
 * unreadable answer after the request was sent): the customer may have been charged, so the payment must stay open.
 */
public class ProviderException extends Exception {

    public enum Outcome {
        REJECTED,
        UNKNOWN
    }

    private final Outcome outcome;
    private final int status;

    public ProviderException(Outcome outcome, int status, String message, Throwable cause) {
        super(message, cause);
        this.outcome = outcome;
        this.status = status;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** The provider's HTTP status, 0 when it never answered. */
    public int status() {
        return status;
    }
}
