package org.hotspotbilling.payment;

/** How the customer pays; the constants are the JSON and database values. */
public enum PaymentMethod {
    mpesa,
    card,
    bank
}
