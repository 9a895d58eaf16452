package org.hotspotbilling.web;

import java.util.Map;

/** The caller's credentials are missing, malformed or not valid. */
public class Unauthenticated extends ApiException {

    public Unauthenticated(String message) {
        super(message, Map.of());
    }

    public Unauthenticated(String message, Map<String, String> fields) {
        super(message, fields);
    }

    @Override
    public int status() {
        return 401;
    }
}
