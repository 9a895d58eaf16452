package org.hotspotbilling.provider;

/** Payment providers; the constants are the JSON and database values (the reference spells it "instasend"). */
public enum ProviderName {
    instasend("IntaSend"),
    /** Safaricom's M-Pesa Daraja API on the owner's own paybill or till (docs/daraja.md). */
    mpesa("M-Pesa Daraja"),
    /** Accepted as a credential name for a later integration; payments cannot use it yet. */
    kopokopo("KopoKopo");

    private final String display;

    ProviderName(String display) {
        this.display = display;
    }

    public String display() {
        return display;
    }
}
