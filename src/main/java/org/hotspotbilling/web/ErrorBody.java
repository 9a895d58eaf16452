package org.hotspotbilling.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/** The one error shape of the API: {@code {"error": "..."}}, with per-field messages for validation failures. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ErrorBody(String error, Map<String, String> fields) {

    public static ErrorBody of(String error) {
        return new ErrorBody(error, Map.of());
    }

    /** The same shape as JSON text, for answers written by plain HTTP routes, below the JAX-RS layer. */
    public static String json(String error) {
        return new JsonObject().put("error", error).encode();
    }
}
