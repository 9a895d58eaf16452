package org.hotspotbilling.access;

import org.hotspotbilling.router.RouterOsException;
import org.hotspotbilling.testing.RouterOsTables;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@link RouterSync}'s menus in memory, no HTTP: {@link RouterOsTables} answering as RouterOS does, every call
 * recorded as a line ({@code "PUT /ip/hotspot/user {name=..., ...}"}), and faults scripted per call line: fail once
 * with a given error, answer writes as done without applying them, or change the router just before a call (as a
 * second worker would).
 */
final class ScriptedRouter implements RouterSync.Menus {

    final RouterOsTables tables = new RouterOsTables();
    private final List<String> calls = new ArrayList<>();
    private final Map<String, RouterOsException> failOnce = new LinkedHashMap<>();
    private final Map<String, Consumer<RouterOsTables>> before = new LinkedHashMap<>();
    private final List<String> dropped = new ArrayList<>();

    /** The first call whose line starts with {@code prefix} fails with {@code error}. */
    ScriptedRouter failOnce(String prefix, RouterOsException error) {
        failOnce.put(prefix, error);
        return this;
    }

    /** Writes whose line starts with {@code prefix} are answered as done and not applied. */
    ScriptedRouter dropWrites(String prefix) {
        dropped.add(prefix);
        return this;
    }

    /** Right before the first call whose line starts with {@code prefix}, the router is changed by {@code change}. */
    ScriptedRouter before(String prefix, Consumer<RouterOsTables> change) {
        before.put(prefix, change);
        return this;
    }

    List<String> calls() {
        return List.copyOf(calls);
    }

    /** The calls that were not reads. */
    List<String> writes() {
        return calls.stream().filter(c -> !c.startsWith("GET ")).toList();
    }

    void forgetCalls() {
        calls.clear();
    }

    @Override
    public List<Map<String, String>> list(String menu, Map<String, String> filter, String proplist)
            throws RouterOsException {
        String line = "GET " + menu + (filter.isEmpty() ? "" : " " + filter);
        call(line);
        Map<String, String> query = new LinkedHashMap<>(filter);
        query.put(".proplist", proplist);
        try {
            return tables.print(menu, query);
        } catch (RouterOsTables.Refusal e) {
            throw answered(e);
        }
    }

    @Override
    public void add(String menu, Map<String, String> fields) throws RouterOsException {
        if (call("PUT " + menu + " " + fields)) {
            try {
                tables.add(menu, fields);
            } catch (RouterOsTables.Refusal e) {
                throw answered(e);
            }
        }
    }

    @Override
    public void set(String menu, String id, Map<String, String> fields) throws RouterOsException {
        if (call("PATCH " + menu + "/" + id + " " + fields)) {
            try {
                tables.set(menu, id, fields);
            } catch (RouterOsTables.Refusal e) {
                throw answered(e);
            }
        }
    }

    @Override
    public void remove(String menu, String id) throws RouterOsException {
        if (call("DELETE " + menu + "/" + id)) {
            try {
                tables.remove(menu, id);
            } catch (RouterOsTables.Refusal e) {
                throw answered(e);
            }
        }
    }

    /** Records the call and plays its script; answers whether the router applies it. */
    private boolean call(String line) throws RouterOsException {
        calls.add(line);
        for (var change : List.copyOf(before.entrySet())) {
            if (line.startsWith(change.getKey())) {
                before.remove(change.getKey());
                change.getValue().accept(tables);
            }
        }
        for (var fault : List.copyOf(failOnce.entrySet())) {
            if (line.startsWith(fault.getKey())) {
                failOnce.remove(fault.getKey());
                throw fault.getValue();
            }
        }
        return dropped.stream().noneMatch(line::startsWith);
    }

    /** A refusal as the REST client reports it (RouterOsClient). */
    static RouterOsException answered(RouterOsTables.Refusal e) {
        return new RouterOsException(RouterOsException.Kind.ERROR, e.status(), "Router answered " + e.status() + " "
                + e.getMessage() + (e.detail() == null ? "" : ": " + e.detail()), e.detail(), null);
    }
}
