package org.hotspotbilling.web;

/** Numbers in query parameters, read as text so a bad one is our 400 {"error"} rather than the framework's 404. */
public final class QueryParams {

    private QueryParams() {
    }

    public static int wholeNumber(String raw, String name) {
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new Invalid(name + " must be a whole number");
        }
    }

    /** An optional id: null when absent or blank. */
    public static Long optionalId(String raw, String name) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return Long.valueOf(raw.trim());
        } catch (NumberFormatException e) {
            throw new Invalid(name + " must be an id");
        }
    }
}
