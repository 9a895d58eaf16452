package org.hotspotbilling.access;

import org.hotspotbilling.access.PushOutbox.Desired;
import org.hotspotbilling.router.RouterOsException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
 * Brings one router's entries in line with its live grants, by the bulk read / diff / write / read-back of
 * docs/routeros-rest.md "How a push pass works": one list per menu of the entries tagged with our comment, then
 * only the writes that differ, then one read-back list to check what the router applied (it may accept a write
 * and keep something else). Values are compared the way RouterOS prints them ({@code 2M/5M} reads back as
 * {@code 2000000/5000000}), so an entry that is right is never written again. Entries are keyed by the MAC, never
 * by RouterOS ids, so a second pass, a second worker or a pass cut short by a crash converges on the same entries
 * instead of adding duplicates. Only entries carrying our tag are changed or removed: the ISP's own users,
 * bindings and queues are never touched. Same tag and profile names as mikrotik-scripts/poll.rsc, so a router on
 * delivery "both" ends up with one set of entries.
 *
 * <p>A router refusing one entry (a 4xx on its write) does not stop the others: the pass goes on, and the
 * result says which devices were applied and what went wrong. A router that fails as a whole (unreachable, a
 * timeout, refused credentials, a 5xx) ends the pass with a {@link RouterOsException}.
 */
final class RouterSync {

    /** The comment that marks an entry as ours. */
    static final String TAG = "hotspot-billing";

    static final String USERS = "/ip/hotspot/user";
    static final String PROFILES = "/ip/hotspot/user/profile";
    static final String ACTIVE = "/ip/hotspot/active";
    static final String BINDINGS = "/ip/hotspot/ip-binding";
    static final String QUEUES = "/queue/simple";

    private static final String USER_FIELDS = ".id,name,mac-address,profile,disabled";
    private static final String PROFILE_FIELDS = ".id,name,rate-limit";
    private static final String BINDING_FIELDS = ".id,mac-address,type,disabled";
    private static final String QUEUE_FIELDS = ".id,name,target,max-limit,disabled";

    /**
     * The RouterOS menu operations a pass is made of: over REST in production ({@link RestMenus}: GET, PUT, PATCH,
     * DELETE), scripted in memory by the unit tests. Rows are RouterOS' own: every value a string.
     */
    interface Menus {
        /** The rows whose fields equal every filter value, with only the fields of {@code proplist}. */
        List<Map<String, String>> list(String menu, Map<String, String> filter, String proplist)
                throws RouterOsException;

        void add(String menu, Map<String, String> fields) throws RouterOsException;

        void set(String menu, String id, Map<String, String> fields) throws RouterOsException;

        void remove(String menu, String id) throws RouterOsException;
    }

    /**
     * What a pass did: its writes, the MACs whose entries the read-back found as the grants want them, what it
     * left alone and why (notes), and what the router refused or did not apply (problems: the pass is retried).
     */
    record Result(int changes, Set<String> applied, List<String> notes, List<String> problems) {
        boolean complete() {
            return problems.isEmpty();
        }
    }

    private final Menus menus;
    private final List<String> notes = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final Set<String> applied = new LinkedHashSet<>();
    /** MACs whose own write was refused: reported once, not again by the read-back. */
    private final Set<String> refused = new HashSet<>();
    private int changes;
    private List<Map<String, String>> active;

    private RouterSync(Menus menus) {
        this.menus = menus;
    }

    /**
     * Syncs the router in {@code mode}. With {@code everything}, entries the other mode would have made are
     * removed too (after the owner switched modes, and on drift checks).
     */
    static Result run(Menus menus, String mode, List<Desired> desired, boolean everything) throws RouterOsException {
        RouterSync sync = new RouterSync(menus);
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
        return new Result(sync.changes, Set.copyOf(sync.applied), List.copyOf(sync.notes), List.copyOf(sync.problems));
    }

    /** Profile of a speed tier: "2M/5M" → bill_2M_5M (poll.rsc derives the same name). */
    static String profileName(String rateLimit) {
        return "bill_" + rateLimit.replace('/', '_');
    }

    static String queueName(String mac) {
        return "bill-" + mac;
    }

    // --- hotspot-user: a user named by the MAC, logging in by MAC, its profile carrying the rate limit ------------

    private void hotspotUsers(Map<String, Desired> want) throws RouterOsException {
        List<Map<String, String>> users = tagged(USERS, USER_FIELDS);
        if (users.isEmpty() && want.isEmpty()) {
            return;
        }
        Set<String> rates = new LinkedHashSet<>();
        want.values().forEach(d -> rates.add(d.rateLimit()));
        Set<String> rightProfiles = new HashSet<>();
        boolean profilesWritten = writeProfiles(rates, rightProfiles);
        Map<String, Map<String, String>> ours = new HashMap<>();
        for (Map<String, String> user : users) {
            String name = user.get("name");
            if (want.containsKey(name) && !ours.containsKey(name)) {
                ours.put(name, user);
            } else {
                remove(USERS, user, name);
                kick("user", name);
            }
        }
        Set<String> leftAlone = new HashSet<>();
        for (Desired d : want.values()) {
            String mac = d.macAddress();
            String profile = profileName(d.rateLimit());
            Map<String, String> user = ours.get(mac);
            Map<String, String> wanted = fields("profile", profile, "mac-address", mac, "disabled", "false");
            if (user == null) {
                Map<String, String> added = fields("name", mac, "password", mac, "mac-address", mac,
                        "profile", profile, "comment", TAG);
                if (!addOrAdopt(USERS, "name", mac, added, wanted, mac)) {
                    leftAlone.add(mac);
                }
            } else if (!profile.equals(user.get("profile")) || !sameMac(mac, user.get("mac-address"))
                    || flag(user.get("disabled"))) {
                if (set(USERS, user.get(".id"), wanted, mac) && !profile.equals(user.get("profile"))) {
                    kick("user", mac); // the new rate limit applies from the next login, which MAC login makes at once
                }
            }
        }
        Map<String, Map<String, String>> after = byField(tagged(USERS, USER_FIELDS), "name");
        if (profilesWritten) {
            checkProfiles(rates, rightProfiles);
        }
        List<String> wrong = new ArrayList<>();
        for (Desired d : want.values()) {
            String mac = d.macAddress();
            Map<String, String> user = after.get(mac);
            boolean right = user != null && profileName(d.rateLimit()).equals(user.get("profile"))
                    && sameMac(mac, user.get("mac-address")) && !flag(user.get("disabled"));
            if (right && rightProfiles.contains(d.rateLimit())) {
                applied.add(mac);
            } else if (!right && !leftAlone.contains(mac) && !refused.contains(mac)) {
                wrong.add(mac);
            }
        }
        after.keySet().stream().filter(name -> !want.containsKey(name) && !refused.contains(name)).forEach(wrong::add);
        if (!wrong.isEmpty()) {
            problems.add("Router accepted the writes but its hotspot users differ from the grants for "
                    + String.join(", ", wrong));
        }
    }

    /**
     * Writes each speed tier's profile that is missing or limits to another rate (profiles are shared, so they are
     * found by name, never removed). Adds the rate limits whose profile is already right to {@code right}; answers
     * whether anything was written, to be checked once the users are written (the first device on a new tier
     * waits for no extra read).
     */
    private boolean writeProfiles(Set<String> rates, Set<String> right) throws RouterOsException {
        if (rates.isEmpty()) {
            return false;
        }
        Map<String, Map<String, String>> existing = byField(menus.list(PROFILES, Map.of(), PROFILE_FIELDS), "name");
        boolean wrote = false;
        for (String rate : rates) {
            String name = profileName(rate);
            Map<String, String> profile = existing.get(name);
            if (profile != null && sameRate(rate, profile.get("rate-limit"))) {
                right.add(rate);
            } else if (profile == null) {
                wrote |= add(PROFILES, fields("name", name, "rate-limit", rate, "shared-users", "1"), name);
            } else {
                wrote |= set(PROFILES, profile.get(".id"), fields("rate-limit", rate), name);
            }
        }
        return wrote;
    }

    /** Reads the profiles back: a rate limit whose profile the router kept otherwise is a problem. */
    private void checkProfiles(Set<String> rates, Set<String> right) throws RouterOsException {
        Map<String, Map<String, String>> after = byField(menus.list(PROFILES, Map.of(), PROFILE_FIELDS), "name");
        for (String rate : rates) {
            Map<String, String> profile = after.get(profileName(rate));
            if (profile != null && sameRate(rate, profile.get("rate-limit"))) {
                right.add(rate);
            } else if (!right.contains(rate) && !refused.contains(profileName(rate))) {
                problems.add("Router accepted the writes but its profile " + profileName(rate) + " does not "
                        + "limit to " + rate);
            }
        }
    }

    // --- ip-binding: a bypassed binding for the MAC, and a simple queue on its IP for the rate limit --------------

    private void ipBindings(Map<String, Desired> want) throws RouterOsException {
        List<Map<String, String>> bindings = tagged(BINDINGS, BINDING_FIELDS);
        List<Map<String, String>> queues = tagged(QUEUES, QUEUE_FIELDS);
        if (bindings.isEmpty() && queues.isEmpty() && want.isEmpty()) {
            return;
        }
        Map<String, Map<String, String>> ourBindings = new HashMap<>();
        for (Map<String, String> binding : bindings) {
            String mac = wantedMac(want, binding.get("mac-address"));
            if (mac != null && !ourBindings.containsKey(mac)) {
                ourBindings.put(mac, binding);
            } else {
                remove(BINDINGS, binding, binding.get("mac-address"));
                if (mac == null) {
                    kick("mac-address", binding.get("mac-address"));
                }
            }
        }
        Map<String, Map<String, String>> ourQueues = new HashMap<>();
        for (Map<String, String> queue : queues) {
            String name = queue.get("name");
            Desired d = name != null && name.startsWith("bill-") ? want.get(name.substring(5)) : null;
            if (d != null && d.ipAddress() != null && !ourQueues.containsKey(name)) {
                ourQueues.put(name, queue);
            } else {
                remove(QUEUES, queue, name);
            }
        }
        Set<String> leftAlone = new HashSet<>();
        for (Desired d : want.values()) {
            String mac = d.macAddress();
            Map<String, String> binding = ourBindings.get(mac);
            if (binding == null) {
                add(BINDINGS, fields("mac-address", mac, "type", "bypassed", "comment", TAG), mac);
            } else if (!"bypassed".equals(binding.get("type")) || flag(binding.get("disabled"))) {
                set(BINDINGS, binding.get(".id"), fields("type", "bypassed", "disabled", "false"), mac);
            }
            if (d.ipAddress() == null) {
                notes.add("No IP address is known for " + mac + ", so no queue limits its speed");
                continue;
            }
            Map<String, String> queue = ourQueues.get(queueName(mac));
            String target = d.ipAddress() + "/32";
            Map<String, String> wanted = fields("target", target, "max-limit", d.rateLimit(), "disabled", "false");
            if (queue == null) {
                Map<String, String> added = fields("name", queueName(mac), "target", target,
                        "max-limit", d.rateLimit(), "comment", TAG);
                if (!addOrAdopt(QUEUES, "name", queueName(mac), added, wanted, mac)) {
                    leftAlone.add(mac);
                }
            } else if (!sameTarget(target, queue.get("target")) || !sameRate(d.rateLimit(), queue.get("max-limit"))
                    || flag(queue.get("disabled"))) {
                set(QUEUES, queue.get(".id"), wanted, mac);
            }
        }
        Map<String, Map<String, String>> boundAfter = new HashMap<>();
        for (Map<String, String> binding : tagged(BINDINGS, BINDING_FIELDS)) {
            String mac = wantedMac(want, binding.get("mac-address"));
            boundAfter.putIfAbsent(mac == null ? binding.get("mac-address") : mac, binding);
        }
        Map<String, Map<String, String>> queuedAfter = byField(tagged(QUEUES, QUEUE_FIELDS), "name");
        List<String> wrong = new ArrayList<>();
        for (Desired d : want.values()) {
            String mac = d.macAddress();
            Map<String, String> binding = boundAfter.get(mac);
            Map<String, String> queue = queuedAfter.get(queueName(mac));
            boolean bindingRight = binding != null && "bypassed".equals(binding.get("type"))
                    && !flag(binding.get("disabled"));
            boolean queueRight = d.ipAddress() == null || queue != null && !flag(queue.get("disabled"))
                    && sameTarget(d.ipAddress() + "/32", queue.get("target"))
                    && sameRate(d.rateLimit(), queue.get("max-limit"));
            if (bindingRight && queueRight) {
                applied.add(mac);
            } else if (!refused.contains(mac) && !(bindingRight && leftAlone.contains(mac))) {
                wrong.add(mac);
            }
        }
        boundAfter.keySet().stream().filter(mac -> !want.containsKey(mac) && !refused.contains(mac)).forEach(wrong::add);
        if (!wrong.isEmpty()) {
            problems.add("Router accepted the writes but its ip-bindings or queues differ from the grants for "
                    + String.join(", ", wrong));
        }
    }

    /** The grant's MAC as we write it, for a MAC as the router prints it; null when no grant wants it. */
    private static String wantedMac(Map<String, Desired> want, String routerMac) {
        if (routerMac == null) {
            return null;
        }
        return want.keySet().stream().filter(mac -> sameMac(mac, routerMac)).findFirst().orElse(null);
    }

    /**
     * Ends the hotspot sessions whose {@code field} is {@code value}: a removed user's (the router does not end it
     * by itself), a changed user's (so the new profile applies), or a bypassed MAC's left from before.
     */
    private void kick(String field, String value) throws RouterOsException {
        if (active == null) {
            active = menus.list(ACTIVE, Map.of(), ".id,user,mac-address");
        }
        for (Map<String, String> session : List.copyOf(active)) {
            boolean match = field.equals("mac-address") ? sameMac(value, session.get(field))
                    : value != null && value.equals(session.get(field));
            if (match) {
                remove(ACTIVE, session, value);
                active.remove(session);
            }
        }
    }

    // --- writes ---------------------------------------------------------------------------------------------------

    private List<Map<String, String>> tagged(String menu, String proplist) throws RouterOsException {
        return menus.list(menu, Map.of("comment", TAG), proplist);
    }

    /**
     * Adds our entry. When the router already has one of that name (RouterOS: "already have ..."), ours (left by
     * a pass cut short, missed by a stale list) is adopted with {@code adopted}; the ISP's own is left as it is and
     * answers false.
     */
    private boolean addOrAdopt(String menu, String nameField, String name, Map<String, String> added,
            Map<String, String> adopted, String mac) throws RouterOsException {
        try {
            menus.add(menu, added);
            changes++;
            return true;
        } catch (RouterOsException e) {
            if (!refusedByRouter(e) || e.detail() == null || !e.detail().contains("already have")) {
                return refusal(e, "add " + name, mac);
            }
        }
        for (Map<String, String> existing : menus.list(menu, Map.of(nameField, name), ".id,name,comment")) {
            if (TAG.equals(existing.get("comment"))) {
                return set(menu, existing.get(".id"), adopted, mac);
            }
        }
        notes.add("The router already has an entry named " + name + " in " + menu + " that is not ours; left it "
                + "as it is");
        return false;
    }

    private boolean add(String menu, Map<String, String> fields, String subject) throws RouterOsException {
        try {
            menus.add(menu, fields);
            changes++;
            return true;
        } catch (RouterOsException e) {
            return refusal(e, "add " + subject + " to " + menu, subject);
        }
    }

    private boolean set(String menu, String id, Map<String, String> fields, String subject) throws RouterOsException {
        try {
            menus.set(menu, id, fields);
            changes++;
            return true;
        } catch (RouterOsException e) {
            return refusal(e, "change " + subject + " in " + menu, subject);
        }
    }

    /** Removes an entry by id; one already gone (404) is what we wanted. */
    private void remove(String menu, Map<String, String> entry, String subject) throws RouterOsException {
        try {
            menus.remove(menu, entry.get(".id"));
            changes++;
        } catch (RouterOsException e) {
            if (!refusedByRouter(e) || e.status() != 404) {
                refusal(e, "remove " + subject + " from " + menu, subject);
            }
        }
    }

    /**
     * A write the router refused is noted as a problem of the pass and the pass goes on with the other entries;
     * any other failure (the router unreachable, slow, refusing our credentials, failing) ends the pass.
     */
    private boolean refusal(RouterOsException e, String what, String subject) throws RouterOsException {
        if (!refusedByRouter(e)) {
            throw e;
        }
        refused.add(subject);
        problems.add("Router refused to " + what + ": " + e.getMessage());
        return false;
    }

    private static boolean refusedByRouter(RouterOsException e) {
        return e.kind() == RouterOsException.Kind.ERROR && e.status() >= 400 && e.status() < 500;
    }

    private static Map<String, Map<String, String>> byField(List<Map<String, String>> rows, String field) {
        Map<String, Map<String, String>> by = new HashMap<>();
        rows.forEach(row -> by.putIfAbsent(row.get(field), row));
        return by;
    }

    /** Fields in the order given, so the bodies a router sees are the same on every pass. */
    private static Map<String, String> fields(String... pairs) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            fields.put(pairs[i], pairs[i + 1]);
        }
        return fields;
    }
}
