package org.hotspotbilling.plan;

/** The reference's package types; the constants are the JSON and database values. */
public enum PlanType {
    hourly("Hourly Package"),
    monthly("Monthly Package");

    private final String display;

    PlanType(String display) {
        this.display = display;
    }

    public String display() {
        return display;
    }
}
