package org.hotspotbilling.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hotspotbilling.router.RouterOsException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link RouterSync}'s menu operations as RouterOS REST calls (docs/routeros-rest.md "Verbs"): list is a GET with
 * the filter and {@code .proplist} as query parameters, add a PUT, set a PATCH of {@code <menu>/<id>}, remove a
 * DELETE of it. Bodies and answers are JSON objects of strings.
 */
final class RestMenus implements RouterSync.Menus {

    /** One RouterOS REST call. */
    interface Calls {
        JsonNode call(String method, String path, Map<String, String> query, JsonNode body) throws RouterOsException;
    }

    private final Calls calls;

    RestMenus(Calls calls) {
        this.calls = calls;
    }

    @Override
    public List<Map<String, String>> list(String menu, Map<String, String> filter, String proplist)
            throws RouterOsException {
        Map<String, String> query = new LinkedHashMap<>(filter);
        query.put(".proplist", proplist);
        JsonNode rows = calls.call("GET", menu, query, null);
        List<Map<String, String>> result = new ArrayList<>();
        if (rows != null && rows.isArray()) {
            rows.forEach(row -> result.add(strings(row)));
        }
        return result;
    }

    @Override
    public void add(String menu, Map<String, String> fields) throws RouterOsException {
        calls.call("PUT", menu, Map.of(), body(fields));
    }

    @Override
    public void set(String menu, String id, Map<String, String> fields) throws RouterOsException {
        calls.call("PATCH", menu + "/" + id, Map.of(), body(fields));
    }

    @Override
    public void remove(String menu, String id) throws RouterOsException {
        calls.call("DELETE", menu + "/" + id, Map.of(), null);
    }

    private static ObjectNode body(Map<String, String> fields) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        fields.forEach(body::put);
        return body;
    }

    /** RouterOS sends every value as a string; anything else is read as its text, and JSON null as absent. */
    private static Map<String, String> strings(JsonNode row) {
        Map<String, String> values = new LinkedHashMap<>();
        row.fields().forEachRemaining(field -> {
            if (!field.getValue().isNull()) {
                values.put(field.getKey(), field.getValue().asText());
            }
        });
        return values;
    }
}
