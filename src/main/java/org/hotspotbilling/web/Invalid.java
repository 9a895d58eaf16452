package org.hotspotbilling.web;

import java.util.Map;
import java.util.stream.Collectors;

/** The request is well-formed but its content breaks a rule; nothing was written. */
public class Invalid extends ApiException {

    public Invalid(String message) {
        super(message, Map.of());
    }

    public Invalid(String message, Map<String, String> fields) {
        super(message, fields);
    }

    /** A refusal naming every field at fault, summed up as "Invalid input: field: message; ...". */
    public static Invalid ofFields(Map<String, String> fields) {
        return new Invalid("Invalid input: " + fields.entrySet().stream()
                .map(f -> f.getKey() + ": " + f.getValue()).collect(Collectors.joining("; ")), fields);
    }

    @Override
    public int status() {
        return 400;
    }
}
