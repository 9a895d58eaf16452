package org.hotspotbilling.payment;

/** The reference's statuses; the constants are the JSON and database values. */
public enum PaymentStatus {
    pending,
    processing,
    completed,
    failed,
    cancelled;

    /** Still waiting for the provider's word. */
    public boolean open() {
        return this == pending || this == processing;
    }
}
