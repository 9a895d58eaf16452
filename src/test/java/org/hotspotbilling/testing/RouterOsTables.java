package org.hotspotbilling.testing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The RouterOS menus push delivery touches, held in memory and answering as RouterOS REST does
 * (docs/routeros-rest.md): every value a string; ids {@code *hex}, counted per menu and never reused; defaults
 * filled in on add ({@code disabled} reads {@code "false"} even when never written); booleans read back as
 * {@code "true"}/{@code "false"} whatever was written ({@code yes}/{@code no} too); MAC addresses upper case;
 * a bare IP target gains {@code /32}; rates read back in bits per second ({@code 2M/5M} →
 * {@code "2000000/5000000"}), for a queue's {@code max-limit} and, as the most adversarial reading of what is not
 * confirmed, for a user profile's {@code rate-limit} too. Writes are refused as RouterOS refuses them: an unknown
 * field, a value of the wrong form, a profile that does not exist, a duplicate name ({@code already have ...}).
 * {@link FakeRouterOs} serves these tables over HTTP; the RouterSync unit tests call them directly.
 */
public final class RouterOsTables {

    public static final String USERS = "/ip/hotspot/user";
    public static final String PROFILES = "/ip/hotspot/user/profile";
    public static final String ACTIVE = "/ip/hotspot/active";
    public static final String BINDINGS = "/ip/hotspot/ip-binding";
    public static final String QUEUES = "/queue/simple";

    /** A write RouterOS refuses: the status, message and detail of its {@code {"error":...}} body. */
    public static final class Refusal extends Exception {
        private final int status;
        private final String detail;

        Refusal(int status, String message, String detail) {
            super(message);
            this.status = status;
            this.detail = detail;
        }

        static Refusal badRequest(String detail) {
            return new Refusal(400, "Bad Request", detail);
        }

        static Refusal notFound() {
            return new Refusal(404, "Not Found", null);
        }

        public int status() {
            return status;
        }

        /** RouterOS' {@code detail}, null when it sends none (as for 404). */
        public String detail() {
            return detail;
        }
    }

    /** How RouterOS reads and prints a field's value. */
    private enum Kind { TEXT, FLAG, MAC, RATE, TARGET, TYPE, PROFILE }

    /**
     * One menu: the fields a write may carry and how each is read, the values an added row starts with (those
     * not writable are read-only), the field that must be unique and RouterOS' words when it is not, and whether
     * the menu can be added to or changed at all (active sessions can only be removed).
     */
    private record Menu(Map<String, Kind> writable, Map<String, String> defaults, String unique, String duplicate,
            boolean writes) {
    }

    private static final Set<String> BINDING_TYPES = Set.of("regular", "bypassed", "blocked");
    private static final Pattern MAC = Pattern.compile("\\p{XDigit}{2}([:-]\\p{XDigit}{2}){5}");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)([kKMG]?)");
    private static final int FIRST_ID = 0x1A;

    private static final Map<String, Menu> MENUS = Map.of(
            USERS, new Menu(fields("name", Kind.TEXT, "password", Kind.TEXT, "mac-address", Kind.MAC,
                    "profile", Kind.PROFILE, "server", Kind.TEXT, "limit-uptime", Kind.TEXT,
                    "limit-bytes-in", Kind.TEXT, "limit-bytes-out", Kind.TEXT, "limit-bytes-total", Kind.TEXT,
                    "address", Kind.TEXT, "email", Kind.TEXT, "routes", Kind.TEXT, "comment", Kind.TEXT,
                    "disabled", Kind.FLAG),
                    values("server", "all", "profile", "default", "disabled", "false", "dynamic", "false",
                            "uptime", "0s", "bytes-in", "0", "bytes-out", "0", "packets-in", "0", "packets-out", "0"),
                    "name", "failure: already have user with this name for this server", true),
            PROFILES, new Menu(fields("name", Kind.TEXT, "rate-limit", Kind.RATE, "shared-users", Kind.TEXT,
                    "session-timeout", Kind.TEXT, "idle-timeout", Kind.TEXT, "keepalive-timeout", Kind.TEXT,
                    "status-autorefresh", Kind.TEXT, "address-list", Kind.TEXT, "address-pool", Kind.TEXT,
                    "on-login", Kind.TEXT, "on-logout", Kind.TEXT, "parent-queue", Kind.TEXT, "queue-type", Kind.TEXT,
                    "insert-queue-before", Kind.TEXT, "add-mac-cookie", Kind.FLAG, "mac-cookie-timeout", Kind.TEXT,
                    "open-status-page", Kind.TEXT, "transparent-proxy", Kind.FLAG),
                    values("shared-users", "1", "idle-timeout", "none", "keepalive-timeout", "2m",
                            "status-autorefresh", "1m", "add-mac-cookie", "true", "mac-cookie-timeout", "3d",
                            "open-status-page", "always", "transparent-proxy", "false", "default", "false"),
                    "name", "failure: already have such entry", true),
            BINDINGS, new Menu(fields("mac-address", Kind.MAC, "address", Kind.TEXT, "to-address", Kind.TEXT,
                    "server", Kind.TEXT, "type", Kind.TYPE, "comment", Kind.TEXT, "disabled", Kind.FLAG),
                    values("server", "all", "type", "regular", "disabled", "false", "dynamic", "false"),
                    null, null, true),
            QUEUES, new Menu(fields("name", Kind.TEXT, "target", Kind.TARGET, "dst", Kind.TEXT, "max-limit", Kind.RATE,
                    "limit-at", Kind.RATE, "burst-limit", Kind.RATE, "burst-threshold", Kind.RATE,
                    "burst-time", Kind.TEXT, "priority", Kind.TEXT, "parent", Kind.TEXT, "queue", Kind.TEXT,
                    "packet-marks", Kind.TEXT, "bucket-size", Kind.TEXT, "time", Kind.TEXT, "comment", Kind.TEXT,
                    "disabled", Kind.FLAG),
                    values("max-limit", "0/0", "limit-at", "0/0", "burst-limit", "0/0", "burst-threshold", "0/0",
                            "burst-time", "0s/0s", "priority", "8/8", "parent", "none",
                            "queue", "default-small/default-small", "bucket-size", "0.1/0.1", "disabled", "false",
                            "dynamic", "false", "invalid", "false"),
                    "name", "failure: already have such entry", true),
            ACTIVE, new Menu(Map.of(), values("server", "hotspot1", "login-by", "mac", "uptime", "0s"),
                    null, null, false));

    private final Map<String, Map<String, Map<String, String>>> tables = new LinkedHashMap<>();
    private final Map<String, Integer> lastIds = new LinkedHashMap<>();

    /** A router as it comes from the factory: only the hotspot's default user profile. */
    public RouterOsTables() {
        seed(PROFILES, Map.of("name", "default", "default", "true"));
    }

    // --- the REST verbs ---------------------------------------------------------------------------------------------

    /** GET of a menu: rows whose fields equal every filter, cut to {@code .proplist} when given. */
    public synchronized List<Map<String, String>> print(String menu, Map<String, String> query) throws Refusal {
        known(menu);
        List<Map<String, String>> rows = new ArrayList<>();
        for (Map<String, String> row : table(menu).values()) {
            if (query.entrySet().stream().filter(e -> !e.getKey().startsWith("."))
                    .allMatch(e -> e.getValue().equals(row.get(e.getKey())))) {
                rows.add(project(row, query.get(".proplist")));
            }
        }
        return rows;
    }

    /** GET of one row by its id. */
    public synchronized Map<String, String> printOne(String menu, String id, Map<String, String> query)
            throws Refusal {
        known(menu);
        Map<String, String> row = table(menu).get(id);
        if (row == null) {
            throw Refusal.notFound();
        }
        return project(row, query.get(".proplist"));
    }

    /** PUT: adds one row and answers it whole, {@code .id} and defaults included. */
    public synchronized Map<String, String> add(String menu, Map<String, String> fields) throws Refusal {
        Menu spec = writable(menu, "add");
        Map<String, String> row = new LinkedHashMap<>(spec.defaults());
        row.putAll(read(menu, spec, fields));
        if (menu.equals(QUEUES) && !row.containsKey("name")) {
            row.put("name", "queue" + (table(menu).size() + 1));
        }
        checkUnique(menu, spec, row, null);
        String id = nextId(menu);
        Map<String, String> stored = new LinkedHashMap<>();
        stored.put(".id", id);
        stored.putAll(row);
        table(menu).put(id, stored);
        return new LinkedHashMap<>(stored);
    }

    /** PATCH: changes the given fields of one row and answers the row whole. */
    public synchronized Map<String, String> set(String menu, String id, Map<String, String> fields) throws Refusal {
        Menu spec = writable(menu, "set");
        Map<String, String> row = table(menu).get(id);
        if (row == null) {
            throw Refusal.notFound();
        }
        Map<String, String> changed = new LinkedHashMap<>(row);
        changed.putAll(read(menu, spec, fields));
        checkUnique(menu, spec, changed, id);
        row.putAll(changed);
        return new LinkedHashMap<>(row);
    }

    /** DELETE: a row already gone is a 404, as on RouterOS. */
    public synchronized void remove(String menu, String id) throws Refusal {
        known(menu);
        if (table(menu).remove(id) == null) {
            throw Refusal.notFound();
        }
    }

    // --- the router's own side: what tests arrange and look at -------------------------------------------------------

    /**
     * A row configured on the router by other means (by hand, by a script, by RouterOS itself for active sessions):
     * normalised and completed as RouterOS would, never refused. Answers its {@code .id}.
     */
    public synchronized String seed(String menu, Map<String, String> fields) {
        Menu spec = MENUS.get(menu);
        Map<String, String> row = new LinkedHashMap<>();
        row.put(".id", nextId(menu));
        if (spec != null) {
            row.putAll(spec.defaults());
        }
        fields.forEach((field, value) -> {
            Kind kind = spec == null ? null : spec.writable().get(field);
            try {
                row.put(field, kind == null ? value : normalise(field, kind, value));
            } catch (Refusal e) {
                row.put(field, value);
            }
        });
        table(menu).put(row.get(".id"), row);
        return row.get(".id");
    }

    /** A copy of every row of a menu, in the order added. */
    public synchronized List<Map<String, String>> rows(String menu) {
        return table(menu).values().stream().map(r -> (Map<String, String>) new LinkedHashMap<>(r)).toList();
    }

    /** Removes a row as if deleted on the router by hand. */
    public synchronized void delete(String menu, String id) {
        table(menu).remove(id);
    }

    // --- how RouterOS reads values ---------------------------------------------------------------------------------

    private Map<String, String> read(String menu, Menu spec, Map<String, String> fields) throws Refusal {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            if (field.getKey().equals(".id")) {
                continue;
            }
            Kind kind = spec.writable().get(field.getKey());
            if (kind == null) {
                throw Refusal.badRequest("unknown parameter " + field.getKey());
            }
            String value = normalise(field.getKey(), kind, field.getValue());
            if (kind == Kind.PROFILE && table(PROFILES).values().stream().noneMatch(p -> value.equals(p.get("name")))) {
                throw Refusal.badRequest("input does not match any value of profile");
            }
            values.put(field.getKey(), value);
        }
        return values;
    }

    private static String normalise(String field, Kind kind, String value) throws Refusal {
        String invalid = "invalid value for argument " + field;
        return switch (kind) {
            case TEXT, PROFILE -> value;
            case FLAG -> switch (value.toLowerCase(Locale.ROOT)) {
                case "true", "yes" -> "true";
                case "false", "no" -> "false";
                default -> throw Refusal.badRequest(invalid);
            };
            case MAC -> {
                if (!MAC.matcher(value).matches()) {
                    throw Refusal.badRequest(invalid);
                }
                yield value.replace('-', ':').toUpperCase(Locale.ROOT);
            }
            case TYPE -> {
                if (!BINDING_TYPES.contains(value)) {
                    throw Refusal.badRequest("input does not match any value of " + field);
                }
                yield value;
            }
            case TARGET -> {
                List<String> targets = new ArrayList<>();
                for (String target : value.split(",")) {
                    targets.add(IPV4.matcher(target).matches() ? target + "/32" : target);
                }
                yield String.join(",", targets);
            }
            case RATE -> {
                // rate [burst-rate [burst-threshold [burst-time [priority [limit-at]]]]]: all but the 4th and 5th
                // are rates
                String[] words = value.trim().split("\\s+");
                for (int i = 0; i < words.length; i++) {
                    words[i] = i == 3 || i == 4 ? words[i] : ratePair(words[i], invalid);
                }
                yield String.join(" ", words);
            }
        };
    }

    /** {@code 2M/5M} → {@code 2000000/5000000}; one rate is both directions: {@code 5M} → {@code 5000000/5000000}. */
    private static String ratePair(String word, String invalid) throws Refusal {
        String[] sides = word.split("/", -1);
        if (sides.length > 2) {
            throw Refusal.badRequest(invalid);
        }
        String rx = bitsPerSecond(sides[0], invalid);
        return rx + "/" + (sides.length == 2 ? bitsPerSecond(sides[1], invalid) : rx);
    }

    private static String bitsPerSecond(String rate, String invalid) throws Refusal {
        var matcher = RATE.matcher(rate);
        if (!matcher.matches()) {
            throw Refusal.badRequest(invalid);
        }
        long unit = switch (matcher.group(2)) {
            case "k", "K" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            default -> 1L;
        };
        BigDecimal bps = new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(unit));
        try {
            return bps.toBigIntegerExact().toString();
        } catch (ArithmeticException e) {
            throw Refusal.badRequest(invalid);
        }
    }

    // --- tables ---------------------------------------------------------------------------------------------------

    private Menu writable(String menu, String command) throws Refusal {
        Menu spec = MENUS.get(menu);
        if (spec == null) {
            throw Refusal.badRequest("no such command or directory (" + menu.substring(menu.lastIndexOf('/') + 1)
                    + ")");
        }
        if (!spec.writes()) {
            throw new Refusal(406, "Not Acceptable", "no such command or directory (" + command + ")");
        }
        return spec;
    }

    private void known(String menu) throws Refusal {
        if (!MENUS.containsKey(menu) && !tables.containsKey(menu)) {
            throw Refusal.badRequest("no such command or directory (" + menu.substring(menu.lastIndexOf('/') + 1)
                    + ")");
        }
    }

    private void checkUnique(String menu, Menu spec, Map<String, String> row, String ownId) throws Refusal {
        if (spec.unique() == null || row.get(spec.unique()) == null) {
            return;
        }
        String value = row.get(spec.unique());
        for (Map<String, String> other : table(menu).values()) {
            if (!other.get(".id").equals(ownId) && value.equals(other.get(spec.unique()))) {
                throw Refusal.badRequest(spec.duplicate());
            }
        }
    }

    /** Per menu, counting up in hex from {@code *1A}: ids of different menus overlap, as on a router. */
    private String nextId(String menu) {
        int id = lastIds.merge(menu, FIRST_ID, (last, first) -> last + 1);
        return "*" + Integer.toHexString(id).toUpperCase(Locale.ROOT);
    }

    private Map<String, Map<String, String>> table(String menu) {
        return tables.computeIfAbsent(menu, m -> new LinkedHashMap<>());
    }

    private static Map<String, String> project(Map<String, String> row, String proplist) {
        if (proplist == null) {
            return new LinkedHashMap<>(row);
        }
        Map<String, String> projected = new LinkedHashMap<>();
        for (String field : proplist.split(",")) {
            if (row.containsKey(field)) {
                projected.put(field, row.get(field));
            }
        }
        return projected;
    }

    private static Map<String, Kind> fields(Object... pairs) {
        Map<String, Kind> fields = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            fields.put((String) pairs[i], (Kind) pairs[i + 1]);
        }
        return fields;
    }

    private static Map<String, String> values(String... pairs) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            values.put(pairs[i], pairs[i + 1]);
        }
        return values;
    }
}
