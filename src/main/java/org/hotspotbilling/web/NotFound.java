package org.hotspotbilling.web;

import java.util.Map;

/** The resource does not exist or belongs to another account (answers 404 so ids of other tenants are not revealed). */
public class NotFound extends ApiException {

    public NotFound(String message) {
        super(message, Map.of());
    }

    public NotFound(String message, Map<String, String> fields) {
        super(message, fields);
    }

    @Override
    public int status() {
        return 404;
    }
}
