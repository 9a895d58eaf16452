package org.hotspotbilling.access;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hotspotbilling.web.Invalid;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the report a router's script sends after a pass (docs/poll-protocol.md "Confirm"): {@code key=value} lines,
 * which RouterOS scripts can write on every version without a JSON encoder, or the same fields as a JSON object.
 * Unknown keys are ignored, so a newer script still confirms against an older backend.
 */
final class PollReports {

    /** A report names at most this many failed MACs; a script with more sends none and confirms nothing. */
    static final int MAX_FAILED_MACS = 64;
    static final int MAX_ERROR_LENGTH = 500;

    private static final Pattern VERSION = Pattern.compile("[0-9a-f-]{1,40}");
    private static final Pattern MAC = Pattern.compile("[0-9A-F]{2}(:[0-9A-F]{2}){5}");

    private PollReports() {
    }

    static RouterPoll.Report parse(String body, ObjectMapper json) {
        Map<String, String> fields = body.stripLeading().startsWith("{") ? fromJson(body, json) : fromLines(body);
        String version = emptyToNull(fields.get("version"));
        if (version != null && !VERSION.matcher(version).matches()) {
            throw new Invalid("version must be the list version the router applied, as the poll answered it");
        }
        Set<String> macs = macs(emptyToNull(fields.get("macs")));
        int failed = failed(emptyToNull(fields.get("failed")), macs.size());
        String error = error(fields.get("error"));
        if (version == null && failed == 0 && error == null) {
            throw new Invalid("A report needs the applied version, or the failures of the pass (failed, error)");
        }
        return new RouterPoll.Report(version, failed, macs, error);
    }

    private static Map<String, String> fromLines(String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : body.split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new Invalid("Each line of a report is key=value (or send a JSON object)");
            }
            fields.put(line.substring(0, eq).trim().toLowerCase(Locale.ROOT), line.substring(eq + 1).trim());
        }
        return fields;
    }

    private static Map<String, String> fromJson(String body, ObjectMapper json) {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Invalid("The report is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new Invalid("A JSON report is an object");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        node.fields().forEachRemaining(f -> {
            JsonNode value = f.getValue();
            if (value.isArray()) {
                StringBuilder joined = new StringBuilder();
                value.forEach(v -> joined.append(joined.isEmpty() ? "" : ",").append(v.asText()));
                fields.put(f.getKey(), joined.toString());
            } else if (!value.isNull()) {
                fields.put(f.getKey(), value.isValueNode() ? value.asText() : value.toString());
            }
        });
        return fields;
    }

    private static Set<String> macs(String raw) {
        Set<String> macs = new LinkedHashSet<>();
        if (raw == null) {
            return macs;
        }
        for (String part : raw.split(",")) {
            String mac = part.trim().toUpperCase(Locale.ROOT);
            if (mac.isEmpty()) {
                continue;
            }
            if (!MAC.matcher(mac).matches()) {
                throw new Invalid("macs must be MAC addresses (AA:BB:CC:DD:EE:FF) separated by commas");
            }
            macs.add(mac);
        }
        if (macs.size() > MAX_FAILED_MACS) {
            throw new Invalid("A report names at most " + MAX_FAILED_MACS + " failed MACs");
        }
        return Set.copyOf(macs);
    }

    private static int failed(String raw, int named) {
        if (raw == null) {
            return named;
        }
        int failed;
        try {
            failed = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new Invalid("failed must be a whole number from 0");
        }
        if (failed < 0 || failed < named) {
            throw new Invalid("failed must be a whole number from 0, at least the number of macs named");
        }
        return failed;
    }

    private static String error(String raw) {
        if (raw == null) {
            return null;
        }
        String clean = raw.replaceAll("\\p{Cntrl}", " ").strip();
        if (clean.isEmpty()) {
            return null;
        }
        return clean.length() <= MAX_ERROR_LENGTH ? clean : clean.substring(0, MAX_ERROR_LENGTH);
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
