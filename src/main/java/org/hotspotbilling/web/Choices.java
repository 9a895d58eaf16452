package org.hotspotbilling.web;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/** Reads one of an enum's values from a path or query parameter, naming the allowed values when it is none. */
public final class Choices {

    private Choices() {
    }

    /**
     * The constant whose name is exactly {@code value}; otherwise 400 "Invalid {what}. Must be one of: ...", with
     * {@code field} (when given) named in the error's fields.
     */
    public static <E extends Enum<E>> E parse(E[] values, String value, String what, String field) {
        return Arrays.stream(values).filter(v -> v.name().equals(value)).findFirst().orElseThrow(() -> {
            String message = "Invalid " + what + ". Must be one of: "
                    + Arrays.stream(values).map(Enum::name).collect(Collectors.joining(", "));
            return field == null ? new Invalid(message) : new Invalid(message, Map.of(field, "Unknown " + what + "."));
        });
    }
}
