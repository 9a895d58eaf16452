package org.hotspotbilling.web;

import java.util.Map;

/**
 * A failure with a meaning for the caller. Each subtype is one kind of failure, mapped once to an HTTP status and
 * an {@code {"error": ...}} body by {@link ErrorMappers}.
 */
public abstract class ApiException extends RuntimeException {

    private final transient Map<String, String> fields;

    protected ApiException(String message, Map<String, String> fields) {
        super(message, null, false, false);
        this.fields = fields == null ? Map.of() : Map.copyOf(fields);
    }

    public abstract int status();

    public Map<String, String> fields() {
        return fields;
    }
}
