package org.hotspotbilling.provider;

import java.util.Locale;

/** Provider invoice states, normalised. IntaSend spells success COMPLETE, older documents COMPLETED: both map here. */
public enum ProviderState {
    PENDING,
    PROCESSING,
    COMPLETE,
    FAILED,
    /** A state we do not know: keep the payment open and ask again later. */
    UNRECOGNISED;

    public static ProviderState of(String raw) {
        if (raw == null) {
            return UNRECOGNISED;
        }
        return switch (raw.trim().toUpperCase(Locale.ROOT)) {
            case "PENDING", "NEW" -> PENDING;
            case "PROCESSING" -> PROCESSING;
            case "COMPLETE", "COMPLETED" -> COMPLETE;
            case "FAILED", "CANCELLED", "CANCELED" -> FAILED;
            default -> UNRECOGNISED;
        };
    }

    public boolean isFinal() {
        return this == COMPLETE || this == FAILED;
    }
}
