package org.hotspotbilling.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hotspotbilling.access.PushOutbox.Desired;
import org.hotspotbilling.router.RouterOsException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.hotspotbilling.router.RouterOsValues.flag;
import static org.hotspotbilling.router.RouterOsValues.sameMac;
import static org.hotspotbilling.router.RouterOsValues.sameRate;
import static org.hotspotbilling.router.RouterOsValues.sameTarget;

/**
 * Brings one router's entries in line with its live grants over RouterOS REST, by the bulk read / diff / write
 * of ../shared/mikrotik.md §7.3: one GET per menu of the entries tagged with our comment, then only the writes
 * that differ, then one read-back GET to check the router applied them (some accept a write and drop it).
 * Entries are keyed by the MAC, never by RouterOS ids, so a second pass, a second worker or a pass cut short by
 * a crash converges on the same entries instead of adding duplicates. Only entries carrying our tag are changed
 * or removed: the ISP's own users, bindings and queues are never touched. Same tag and profile names as
 * mikrotik-scripts/poll.rsc, so a router on delivery "both" ends up with one set of entries.
 */
final class RouterSync {

    /** The comment that marks an entry as ours. */
    static final String TAG = "hotspot-billing";

    static final String USERS = "/ip/hotspot/user";
    static final String PROFILES = "/ip/hotspot/user/profile";
    static final String ACTIVE = "/ip/hotspot/active";
    static final String BINDINGS = "/ip/hotspot/ip-binding";
    static final String QUEUES = "/queue/simple";

    /** One RouterOS REST call (the worker's, which keeps its lease on the router alive between calls). */
    interface Calls {
        JsonNode call(String method, String path, Map<String, String> query, JsonNode body) throws RouterOsException;
    }

    /** The router did not end up as written. Retried like an unreachable router. */
    static final class NotApplied extends Exception {
        NotApplied(String message) {
            super(message);
        }
    }

    /** How many writes the pass made, and what it left alone and why. */
    record Result(int changes, List<String> notes) {
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Calls calls;
    private final List<String> notes = new ArrayList<>();
    private int changes;
    private List<JsonNode> active;

    private RouterSync(Calls calls) {
        this.calls = calls;
    }

    /**
     * Syncs the router in {@code mode}. With {@code everything}, entries the other mode would have made are
     * removed too (after the owner switched modes, and on drift checks).
     */
    static Result run(Calls calls, String mode, List<Desired> desired, boolean everything)
            throws RouterOsException, NotApplied {
        RouterSync sync = new RouterSync(calls);
        Map<String, Desired> byMac = new LinkedHashMap<>();
        desired.forEach(d -> byMac.put(d.macAddress(), d));
        if ("ip-binding".equals(mode)) {
            if (everything) {
                sync.hotspotUsers(Map.of());
            }
            sync.ipBindings(byMac);
        } else {
            if (everything) {
                sync.ipBindings(Map.of());
            }
            sync.hotspotUsers(byMac);
        }
        return new Result(sync.changes, List.copyOf(sync.notes));
    }

    /** Profile of a speed tier: "2M/5M" → bill_2M_5M (poll.rsc derives the same name). */
    static String profileName(String rateLimit) {
        return "bill_" + rateLimit.replace('/', '_');
    }

    static String queueName(String mac) {
        return "bill-" + mac;
    }

    // --- hotspot-user: a user named by the MAC, logging in by MAC, its profile carrying the rate limit ------------

    private void hotspotUsers(Map<String, Desired> want) throws RouterOsException, NotApplied {
        List<JsonNode> users = tagged(USERS, ".id,name,mac-address,profile,disabled");
        if (users.isEmpty() && want.isEmpty()) {
            return;
        }
        ensureProfiles(want.values());
        Map<String, JsonNode> ours = new HashMap<>();
        for (JsonNode user : users) {
            String name = text(user, "name");
            if (want.containsKey(name) && !ours.containsKey(name)) {
                ours.put(name, user);
            } else {
                remove(USERS, user);
                kickUser(name);
            }
        }
        Set<String> leftAlone = new LinkedHashSet<>();
        for (Desired d : want.values()) {
            String mac = d.macAddress();
            String profile = profileName(d.rateLimit());
            JsonNode user = ours.get(mac);
            if (user == null) {
                if (!addUser(mac, profile)) {
                    leftAlone.add(mac);
                }
            } else if (!profile.equals(text(user, "profile")) || !sameMac(mac, text(user, "mac-address"))
                    || flag(text(user, "disabled"))) {
                ObjectNode change = NODES.objectNode().put("profile", profile).put("mac-address", mac)
                        .put("disabled", "false");
                write("PATCH", USERS + "/" + text(user, ".id"), change);
                if (!profile.equals(text(user, "profile"))) {
                    kickUser(mac); // the new rate limit applies from the next login, which MAC login makes at once
                }
            }
        }
        Map<String, JsonNode> after = new HashMap<>();
        for (JsonNode user : tagged(USERS, ".id,name,mac-address,profile,disabled")) {
            after.merge(text(user, "name"), user, (a, b) -> a);
        }
        List<String> wrong = new ArrayList<>();
        for (Desired d : want.values()) {
            JsonNode user = after.get(d.macAddress());
            if (leftAlone.contains(d.macAddress())) {
                continue;
            }
            if (user == null || !profileName(d.rateLimit()).equals(text(user, "profile"))
                    || flag(text(user, "disabled"))) {
                wrong.add(d.macAddress());
            }
        }
        after.keySet().stream().filter(name -> !want.containsKey(name)).forEach(wrong::add);
        if (!wrong.isEmpty()) {
            throw new NotApplied("Router accepted the writes but its hotspot users differ from the grants for "
                    + String.join(", ", wrong));
        }
    }

    private void ensureProfiles(Iterable<Desired> want) throws RouterOsException {
        Set<String> rates = new LinkedHashSet<>();
        want.forEach(d -> rates.add(d.rateLimit()));
        if (rates.isEmpty()) {
            return;
        }
        Map<String, JsonNode> existing = new HashMap<>();
        for (JsonNode profile : list(PROFILES, Map.of(".proplist", ".id,name,rate-limit"))) {
            existing.put(text(profile, "name"), profile);
        }
        for (String rate : rates) {
            JsonNode profile = existing.get(profileName(rate));
            if (profile == null) {
                write("PUT", PROFILES, NODES.objectNode().put("name", profileName(rate)).put("rate-limit", rate)
                        .put("shared-users", "1"));
            } else if (!sameRate(rate, text(profile, "rate-limit"))) {
                write("PATCH", PROFILES + "/" + text(profile, ".id"), NODES.objectNode().put("rate-limit", rate));
            }
        }
    }

    /** Adds our user; false when the ISP already has a user of that name, which we leave alone. */
    private boolean addUser(String mac, String profile) throws RouterOsException {
        ObjectNode user = NODES.objectNode().put("name", mac).put("password", mac).put("mac-address", mac)
                .put("profile", profile).put("comment", TAG);
        try {
            write("PUT", USERS, user);
            return true;
        } catch (RouterOsException e) {
            if (e.kind() != RouterOsException.Kind.ERROR || e.detail() == null || !e.detail().contains("already have")) {
                throw e;
            }
        }
        // A user of that name exists: ours (a pass cut short after adding it, read before by a stale list) is
        // adopted; the ISP's own is left as it is.
        for (JsonNode existing : list(USERS, query("name", mac, ".proplist", ".id,name,comment"))) {
            if (TAG.equals(text(existing, "comment"))) {
                write("PATCH", USERS + "/" + text(existing, ".id"), NODES.objectNode().put("profile", profile)
                        .put("mac-address", mac).put("disabled", "false"));
                return true;
            }
        }
        notes.add("The router already has a user named " + mac + " that is not ours; left it as it is");
        return false;
    }

    private void kickUser(String name) throws RouterOsException {
        for (JsonNode session : List.copyOf(activeSessions())) {
            if (name.equals(text(session, "user"))) {
                remove(ACTIVE, session);
            }
        }
    }

    // --- ip-binding: a bypassed binding for the MAC, and a simple queue on its IP for the rate limit --------------

    private void ipBindings(Map<String, Desired> want) throws RouterOsException, NotApplied {
        List<JsonNode> bindings = tagged(BINDINGS, ".id,mac-address,type,disabled");
        List<JsonNode> queues = tagged(QUEUES, ".id,name,target,max-limit,disabled");
        if (bindings.isEmpty() && queues.isEmpty() && want.isEmpty()) {
            return;
        }
        Map<String, JsonNode> ourBindings = new HashMap<>();
        for (JsonNode binding : bindings) {
            String mac = text(binding, "mac-address");
            if (want.containsKey(mac) && !ourBindings.containsKey(mac)) {
                ourBindings.put(mac, binding);
            } else {
                remove(BINDINGS, binding);
                if (!want.containsKey(mac)) {
                    kickMac(mac);
                }
            }
        }
        Map<String, JsonNode> ourQueues = new HashMap<>();
        for (JsonNode queue : queues) {
            String name = text(queue, "name");
            Desired d = name != null && name.startsWith("bill-") ? want.get(name.substring(5)) : null;
            if (d != null && d.ipAddress() != null && !ourQueues.containsKey(name)) {
                ourQueues.put(name, queue);
            } else {
                remove(QUEUES, queue);
            }
        }
        for (Desired d : want.values()) {
            String mac = d.macAddress();
            JsonNode binding = ourBindings.get(mac);
            if (binding == null) {
                write("PUT", BINDINGS, NODES.objectNode().put("mac-address", mac).put("type", "bypassed")
                        .put("comment", TAG));
            } else if (!"bypassed".equals(text(binding, "type")) || flag(text(binding, "disabled"))) {
                write("PATCH", BINDINGS + "/" + text(binding, ".id"), NODES.objectNode().put("type", "bypassed")
                        .put("disabled", "false"));
            }
            if (d.ipAddress() == null) {
                notes.add("No IP address is known for " + mac + ", so no queue limits its speed");
                continue;
            }
            JsonNode queue = ourQueues.get(queueName(mac));
            String target = d.ipAddress() + "/32";
            if (queue == null) {
                write("PUT", QUEUES, NODES.objectNode().put("name", queueName(mac)).put("target", target)
                        .put("max-limit", d.rateLimit()).put("comment", TAG));
            } else if (!sameTarget(target, text(queue, "target")) || !sameRate(d.rateLimit(), text(queue, "max-limit"))
                    || flag(text(queue, "disabled"))) {
                write("PATCH", QUEUES + "/" + text(queue, ".id"), NODES.objectNode().put("target", target)
                        .put("max-limit", d.rateLimit()).put("disabled", "false"));
            }
        }
        Map<String, JsonNode> boundAfter = new HashMap<>();
        tagged(BINDINGS, ".id,mac-address,type,disabled").forEach(b -> boundAfter.merge(text(b, "mac-address"), b,
                (a, b2) -> a));
        Map<String, JsonNode> queuedAfter = new HashMap<>();
        tagged(QUEUES, ".id,name,target,max-limit").forEach(q -> queuedAfter.merge(text(q, "name"), q, (a, b) -> a));
        List<String> wrong = new ArrayList<>();
        for (Desired d : want.values()) {
            JsonNode binding = boundAfter.get(d.macAddress());
            JsonNode queue = queuedAfter.get(queueName(d.macAddress()));
            boolean bindingOk = binding != null && "bypassed".equals(text(binding, "type"))
                    && !flag(text(binding, "disabled"));
            boolean queueOk = d.ipAddress() == null
                    || queue != null && sameRate(d.rateLimit(), text(queue, "max-limit"));
            if (!bindingOk || !queueOk) {
                wrong.add(d.macAddress());
            }
        }
        boundAfter.keySet().stream().filter(mac -> !want.containsKey(mac)).forEach(wrong::add);
        if (!wrong.isEmpty()) {
            throw new NotApplied("Router accepted the writes but its ip-bindings or queues differ from the grants "
                    + "for " + String.join(", ", wrong));
        }
    }

    /** A bypassed host has no hotspot session of its own; any session its MAC still has is ended. */
    private void kickMac(String mac) throws RouterOsException {
        for (JsonNode session : List.copyOf(activeSessions())) {
            if (mac.equals(text(session, "mac-address"))) {
                remove(ACTIVE, session);
            }
        }
    }

    // --- calls ------------------------------------------------------------------------------------------------------

    private List<JsonNode> tagged(String menu, String proplist) throws RouterOsException {
        return list(menu, query("comment", TAG, ".proplist", proplist));
    }

    private List<JsonNode> list(String menu, Map<String, String> query) throws RouterOsException {
        JsonNode rows = calls.call("GET", menu, query, null);
        List<JsonNode> result = new ArrayList<>();
        if (rows != null && rows.isArray()) {
            rows.forEach(result::add);
        }
        return result;
    }

    /** Query parameters in the order given, so the calls a router sees are the same on every pass. */
    private static Map<String, String> query(String... pairs) {
        Map<String, String> query = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            query.put(pairs[i], pairs[i + 1]);
        }
        return query;
    }

    private List<JsonNode> activeSessions() throws RouterOsException {
        if (active == null) {
            active = list(ACTIVE, Map.of(".proplist", ".id,user,mac-address"));
        }
        return active;
    }

    private void write(String method, String path, JsonNode body) throws RouterOsException {
        calls.call(method, path, Map.of(), body);
        changes++;
    }

    /** Removes an entry by id; one already gone (404) is what we wanted. */
    private void remove(String menu, JsonNode entry) throws RouterOsException {
        try {
            calls.call("DELETE", menu + "/" + text(entry, ".id"), Map.of(), null);
            changes++;
        } catch (RouterOsException e) {
            if (e.kind() != RouterOsException.Kind.ERROR || e.status() != 404) {
                throw e;
            }
        }
        if (menu.equals(ACTIVE) && active != null) {
            active.remove(entry);
        }
    }

    private static String text(JsonNode node, String field) {
        return node != null && node.hasNonNull(field) ? node.get(field).asText() : null;
    }
}
