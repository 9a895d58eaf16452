package org.hotspotbilling.web;

import java.util.Map;

/** The request clashes with the current state of the resource. */
public class Conflict extends ApiException {

    public Conflict(String message) {
        super(message, Map.of());
    }

    public Conflict(String message, Map<String, String> fields) {
        super(message, fields);
    }

    @Override
    public int status() {
        return 409;
    }
}
