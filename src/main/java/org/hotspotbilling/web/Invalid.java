package org.hotspotbilling.web;

import java.util.Map;

/** The request is well-formed but its content breaks a rule; nothing was written. */
public class Invalid extends ApiException {

    public Invalid(String message) {
        super(message, Map.of());
    }

    public Invalid(String message, Map<String, String> fields) {
        super(message, fields);
    }

    @Override
    public int status() {
        return 400;
    }
}
