package org.hotspotbilling.web;

import java.util.Map;

/** A router or payment provider failed or answered with an error. */
public class Upstream extends ApiException {

    public Upstream(String message) {
        super(message, Map.of());
    }

    public Upstream(String message, Map<String, String> fields) {
        super(message, fields);
    }

    @Override
    public int status() {
        return 502;
    }
}
