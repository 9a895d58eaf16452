package org.hotspotbilling.router;

import org.hotspotbilling.web.Invalid;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A router command an owner may run through {@code execute-command}: a GET of one of a fixed set of read-only
 * menus (optionally one item by its {@code *ID}), with equality filters and {@code .proplist}. Nothing that
 * writes, reboots, runs scripts or reads secrets (users, certificates, files) is reachable.
 */
public record ReadOnlyCommand(String path, Map<String, String> query) {

    /** The menus that may be read. Documented in the README. */
    public static final Set<String> ALLOWED_MENUS = Set.of(
            "/system/resource", "/system/identity", "/system/clock", "/system/routerboard", "/system/health",
            "/system/package", "/interface", "/ip/address", "/ip/route", "/ip/dhcp-server/lease", "/ip/arp",
            "/ip/hotspot", "/ip/hotspot/active", "/ip/hotspot/host", "/ip/hotspot/user", "/ip/hotspot/user/profile",
            "/ip/hotspot/profile", "/ip/hotspot/ip-binding", "/ip/hotspot/walled-garden",
            "/ip/hotspot/walled-garden/ip", "/queue/simple", "/log");

    private static final Pattern COMMAND = Pattern.compile("/?([a-z0-9-]+(?:/[a-z0-9-]+)*)(/\\*[0-9A-Fa-f]{1,8})?/?");
    private static final Pattern PARAM_NAME = Pattern.compile("\\.?[a-z0-9-]{1,40}");
    private static final Pattern PARAM_VALUE = Pattern.compile("[^\\p{Cntrl}]{0,200}");

    public static ReadOnlyCommand parse(String command, String method, Map<String, String> params) {
        if (command == null || command.isBlank()) {
            throw new Invalid("Command is required", Map.of("command", "This field is required."));
        }
        String verb = method == null ? "GET" : method.trim().toUpperCase(Locale.ROOT);
        if (!verb.equals("GET")) {
            throw new Invalid("Only GET (read-only) commands can be executed; " + verb + " is not allowed",
                    Map.of("method", "Must be GET."));
        }
        Matcher matcher = COMMAND.matcher(command.trim());
        String menu = matcher.matches() ? "/" + matcher.group(1) : null;
        if (menu == null || !ALLOWED_MENUS.contains(menu)) {
            throw new Invalid("Command not allowed: only these read-only menus can be read: "
                    + String.join(", ", new TreeSet<>(ALLOWED_MENUS)), Map.of("command", "Not allowed."));
        }
        Map<String, String> query = new TreeMap<>();
        if (params != null) {
            params.forEach((name, value) -> {
                if (name == null || !PARAM_NAME.matcher(name).matches() || value == null
                        || !PARAM_VALUE.matcher(value).matches()) {
                    throw new Invalid("Invalid parameter '" + name + "': names are lower-case menu fields, values "
                            + "plain text up to 200 characters", Map.of("params", "Invalid parameter."));
                }
                query.put(name, value);
            });
        }
        String item = matcher.group(2) == null ? "" : matcher.group(2).toUpperCase(Locale.ROOT);
        return new ReadOnlyCommand(menu + item, query);
    }
}
