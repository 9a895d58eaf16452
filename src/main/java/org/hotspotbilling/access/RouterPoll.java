package org.hotspotbilling.access;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import org.hotspotbilling.crypto.Hashes;
import org.hotspotbilling.web.NotFound;
import org.hotspotbilling.web.Unauthenticated;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a router fetches in pull mode: its live grants, and what it confirms it applied (docs/poll-protocol.md).
 * The list's version is derived from the grants themselves (how many are live, the latest change among them, and
 * a digest of every grant's id and form), so it changes when a grant is added, extended, revoked or expires, equal
 * versions mean equal lists, and completing a payment never has to touch the router row.
 *
 * <p>When a grant counts as delivered (pending → on_router) depends on the router's script. One that says it
 * confirms ({@code confirms=yes}, the current poll.rsc) moves a grant only by confirming a list version that
 * contains it, after applying it without failure: a fetched list proves nothing. For an older script that never
 * confirms, a poll that returned the grant still counts, so its customers are never left waiting for a
 * confirmation that cannot come; owners see such routers as {@code legacy}.
 *
 * <p>Tokens and lists are kept in memory ({@link PollCache}); what the database is still asked is one statement
 * each, outside any transaction (they read, or write one idempotent change): a poll is answered from memory,
 * or with one read of the token and one of the list.
 */
@ApplicationScoped
public class RouterPoll {

    /** Lines per page of the text form: about 30 bytes each keeps a page far under RouterOS fetch's 64 KB cap. */
    public static final int PAGE_SIZE = 1000;

    private final AgroalDataSource db;
    private final PollCache cache;

    public RouterPoll(AgroalDataSource db, PollCache cache) {
        this.db = db;
        this.cache = cache;
    }

    /**
     * One live grant as the router needs it; {@code pending} until the router has it (confirmed, fetched by an
     * older script, or pushed). {@code updatedAt} is the grant's form: a confirmation of a list marks a grant only
     * while it is still in the form that list carried.
     */
    public record LiveGrant(long id, String macAddress, String ipAddress, Instant expiresAt, String rateLimit,
            Instant updatedAt, boolean pending) {

        public long secondsLeft(Instant now) {
            return Math.max(1, Duration.between(now, expiresAt).toSeconds());
        }

        LiveGrant delivered() {
            return new LiveGrant(id, macAddress, ipAddress, expiresAt, rateLimit, updatedAt, false);
        }
    }

    /**
     * A router's live grants by MAC and their version, as read at one instant; the same until a grant changes in
     * the database or {@code validUntil} (the earliest expiry among them, null when there are none) has come.
     * {@code servedRecorded}: this instance has recorded which pending grants this version contains (done once,
     * before the first answer to a confirming router).
     */
    public record LiveList(long routerId, String version, List<LiveGrant> grants, Instant validUntil,
            boolean servedRecorded) {

        public int pages() {
            return Math.max(1, (grants.size() + PAGE_SIZE - 1) / PAGE_SIZE);
        }

        public List<LiveGrant> page(int page) {
            int from = (int) Math.min(grants.size(), (long) (page - 1) * PAGE_SIZE);
            return grants.subList(from, Math.min(grants.size(), from + PAGE_SIZE));
        }

        public boolean hasPending() {
            return grants.stream().anyMatch(LiveGrant::pending);
        }

        /** The same list (nothing a router sees changes) with these grants, in these forms, now delivered. */
        LiveList withDelivered(Map<Long, Instant> marked) {
            if (marked.isEmpty()) {
                return this;
            }
            List<LiveGrant> updated = grants.stream().map(g -> g.pending() && g.updatedAt().equals(marked.get(g.id()))
                    ? g.delivered() : g).toList();
            return new LiveList(routerId, version, updated, validUntil, servedRecorded);
        }

        LiveList withServedRecorded() {
            return new LiveList(routerId, version, grants, validUntil, true);
        }
    }

    /** The SHA-256 of a poll token, which is all we store and compare; 401 when there is no token. */
    public static String tokenHash(String token) {
        if (token == null || token.isBlank()) {
            throw new Unauthenticated("Router token required: Authorization: Bearer <token> or ?token=<token>");
        }
        return Hashes.sha256Hex(token.trim());
    }

    /**
     * The router's list when memory alone can answer (the token is known to be this router's and its list is
     * known): no database, nothing that blocks. Null when the database must be asked. 404 when the token is known
     * to be another router's.
     */
    public LiveList fromMemory(long routerId, String tokenHash, Instant now) {
        Long owner = cache.routerOfToken(tokenHash);
        if (owner == null) {
            return null;
        }
        if (owner != routerId) {
            throw new NotFound("Router not found");
        }
        return cache.list(routerId, now);
    }

    /**
     * The router's list at {@code now}, from memory or the database. The token must be the router's: 404 when it
     * belongs to another router (so one router's token reveals nothing about others), 401 when it is nobody's.
     */
    public LiveList list(long routerId, String tokenHash, Instant now) {
        authenticate(routerId, tokenHash);
        return current(routerId, now);
    }

    /**
     * An older script's poll returned these grants: for a router that never confirms, the fetch is all the
     * delivery there is (docs/poll-protocol.md "Routers that do not confirm").
     */
    public void fetchedByLegacyScript(LiveList list, List<LiveGrant> returned) {
        List<LiveGrant> pending = returned.stream().filter(LiveGrant::pending).toList();
        if (!pending.isEmpty()) {
            Map<Long, Instant> marked = markDelivered(list.routerId(), pending, Set.of(), null);
            cache.replaceList(list, list.withDelivered(marked));
        }
    }

    /**
     * Before a confirming router gets a version that has pending grants: records which (id, form) pairs it
     * contains, so that its confirmation marks exactly those, whenever and wherever it arrives. Once per version.
     */
    public void recordServed(LiveList list, Instant now) {
        List<LiveGrant> pending = list.grants().stream().filter(LiveGrant::pending).toList();
        if (!pending.isEmpty()) {
            try (Connection c = db.getConnection(); PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO router_list_served (router_id, version, served_at, grant_ids, grant_updated_at) "
                            + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (router_id, version) DO NOTHING")) {
                insert.setLong(1, list.routerId());
                insert.setString(2, list.version());
                insert.setObject(3, now.atOffset(ZoneOffset.UTC));
                insert.setArray(4, c.createArrayOf("bigint", pending.stream().map(LiveGrant::id).toArray()));
                insert.setArray(5, c.createArrayOf("timestamptz", pending.stream()
                        .map(g -> g.updatedAt().atOffset(ZoneOffset.UTC)).toArray()));
                insert.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException("Could not record the list served to router " + list.routerId(), e);
            }
        }
        cache.replaceList(list, list.withServedRecorded());
    }

    /**
     * A confirming router's poll says it holds the current list, applied without failure (it keeps a version only
     * then): its pending grants are on the router. This is how a lost confirm call is made up for by the next poll.
     */
    public LiveList heldByConfirmingRouter(LiveList list) {
        List<LiveGrant> pending = list.grants().stream().filter(LiveGrant::pending).toList();
        if (pending.isEmpty()) {
            return list;
        }
        LiveList updated = list.withDelivered(markDelivered(list.routerId(), pending, Set.of(), null));
        cache.replaceList(list, updated);
        return updated;
    }

    /**
     * What a router's script reports after a pass (docs/poll-protocol.md "Confirm"): {@code version} applied, except
     * for the {@code failedMacs} it could not add or change; {@code version} null when it reports only a failure.
     */
    public record Report(String version, int failed, Set<String> failedMacs, String error) {
    }

    /** The answer to a report: how many grants it moved to the router, and whether the router is now current. */
    public record Confirmation(String version, String currentVersion, boolean current, int confirmed) {
    }

    /**
     * Applies a router's report: the grants of the reported version (in the form it carried them, except the MACs
     * it failed on) become on_router, and the report is kept on the router for its owner. One statement.
     */
    public Confirmation confirm(long routerId, String tokenHash, Report report, Instant now) {
        LiveList current = list(routerId, tokenHash, now);
        if (report.version() == null) {
            markDelivered(routerId, List.of(), Set.of(), new Recorded(report, now, false));
            return new Confirmation(null, current.version(), false, 0);
        }
        boolean held = report.version().equals(current.version());
        // Holding the current list, its pending grants are the ones the version contains; else what was recorded.
        Map<Long, Instant> marked = markDelivered(routerId,
                held ? current.grants().stream().filter(LiveGrant::pending).toList() : null, report.failedMacs(),
                new Recorded(report, now, true));
        cache.delivered(routerId, marked);
        return new Confirmation(report.version(), current.version(),
                held && report.failed() == 0 && report.failedMacs().isEmpty(), marked.size());
    }

    /** A report to keep on the router's row, with the statement that marks what it confirms. */
    private record Recorded(Report report, Instant at, boolean confirmsVersion) {
    }

    /**
     * Marks pending grants as on the router, only while each is still in the given form, in one statement: the
     * {@code pairs} given, or (null) those recorded for the reported version when it was served. With a report,
     * the same statement keeps it on the router row and, for a complete one, forgets the versions served up to it.
     * Answers the grants marked, with their forms.
     */
    private Map<Long, Instant> markDelivered(long routerId, List<LiveGrant> pairs, Set<String> excludedMacs,
            Recorded recorded) {
        boolean fromServed = pairs == null;
        boolean complete = recorded != null && recorded.confirmsVersion() && recorded.report().failed() == 0
                && recorded.report().failedMacs().isEmpty();
        StringBuilder sql = new StringBuilder("WITH pairs AS (");
        sql.append(fromServed
                ? "SELECT u.id, u.updated_at FROM router_list_served s CROSS JOIN LATERAL "
                        + "unnest(s.grant_ids, s.grant_updated_at) AS u (id, updated_at) "
                        + "WHERE s.router_id = ? AND s.version = ?"
                : "SELECT * FROM unnest(?::bigint[], ?::timestamptz[]) AS u (id, updated_at)");
        // Not through the entities: updated_at is the grant's form (and the list's version), delivery changes neither.
        sql.append("), marked AS (UPDATE access_grant g SET state = 'on_router' FROM pairs p WHERE g.id = p.id "
                + "AND g.updated_at = p.updated_at AND g.router_id = ? AND g.state = 'pending' "
                + "AND g.mac_address <> ALL (?::varchar[]) RETURNING g.id, g.updated_at)");
        if (recorded != null) {
            sql.append(", reported AS (UPDATE router SET last_poll_confirms = true, last_report_at = ?, "
                    + "last_report_failed = ?, last_report_error = ?");
            if (complete) {
                sql.append(", last_applied_at = CASE WHEN last_applied_version IS DISTINCT FROM ? THEN ? "
                        + "ELSE last_applied_at END, last_applied_version = ?");
            }
            sql.append(" WHERE id = ? RETURNING id)");
            if (complete) {
                sql.append(", forgotten AS (DELETE FROM router_list_served WHERE router_id = ? AND (served_at <= "
                        + "(SELECT served_at FROM router_list_served WHERE router_id = ? AND version = ?) "
                        + "OR served_at < ? - interval '1 day'))");
            }
        }
        sql.append(" SELECT id, updated_at FROM marked");
        Map<Long, Instant> marked = new HashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement statement = c.prepareStatement(sql.toString())) {
            int i = 0;
            if (fromServed) {
                statement.setLong(++i, routerId);
                statement.setString(++i, recorded.report().version());
            } else {
                statement.setArray(++i, c.createArrayOf("bigint", pairs.stream().map(LiveGrant::id).toArray()));
                statement.setArray(++i, c.createArrayOf("timestamptz", pairs.stream()
                        .map(g -> g.updatedAt().atOffset(ZoneOffset.UTC)).toArray()));
            }
            statement.setLong(++i, routerId);
            statement.setArray(++i, c.createArrayOf("varchar", excludedMacs.toArray()));
            if (recorded != null) {
                Report report = recorded.report();
                statement.setObject(++i, recorded.at().atOffset(ZoneOffset.UTC));
                statement.setInt(++i, report.failed());
                statement.setString(++i, report.error());
                if (complete) {
                    statement.setString(++i, report.version());
                    statement.setObject(++i, recorded.at().atOffset(ZoneOffset.UTC));
                    statement.setString(++i, report.version());
                }
                statement.setLong(++i, routerId);
                if (complete) {
                    statement.setLong(++i, routerId);
                    statement.setLong(++i, routerId);
                    statement.setString(++i, report.version());
                    statement.setObject(++i, recorded.at().atOffset(ZoneOffset.UTC));
                }
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    marked.put(rows.getLong(1), rows.getObject(2, OffsetDateTime.class).toInstant());
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not record the delivery of router " + routerId + "'s grants", e);
        }
        return marked;
    }

    /** The router's current list, for its owner's view (no token: the caller checked the owner). */
    public LiveList current(long routerId, Instant now) {
        LiveList cached = cache.list(routerId, now);
        if (cached != null) {
            return cached;
        }
        long stamp = cache.stamp();
        LiveList loaded = load(routerId, now);
        cache.rememberList(loaded, stamp);
        return loaded;
    }

    private void authenticate(long routerId, String tokenHash) {
        Long owner = cache.routerOfToken(tokenHash);
        if (owner == null) {
            long stamp = cache.stamp();
            try (Connection c = db.getConnection(); PreparedStatement find = c.prepareStatement(
                    "SELECT (SELECT id FROM router WHERE poll_token_sha256 = ?), "
                            + "EXISTS (SELECT 1 FROM router WHERE id = ?)")) {
                find.setString(1, tokenHash);
                find.setLong(2, routerId);
                try (ResultSet row = find.executeQuery()) {
                    row.next();
                    long id = row.getLong(1);
                    owner = row.wasNull() ? null : id;
                    if (owner == null) {
                        throw row.getBoolean(2) ? new Unauthenticated("Invalid router token")
                                : new NotFound("Router not found");
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("Could not check a router token", e);
            }
            cache.rememberToken(tokenHash, owner, stamp);
        }
        if (owner != routerId) {
            throw new NotFound("Router not found");
        }
    }

    private LiveList load(long routerId, Instant now) {
        return load(List.of(routerId), now).get(routerId);
    }

    /** The live lists of these routers at {@code now}, in one query (an empty list for a router without grants). */
    Map<Long, LiveList> load(Collection<Long> routerIds, Instant now) {
        Map<Long, List<LiveGrant>> grants = new HashMap<>();
        Map<Long, Instant> earliestExpiry = new HashMap<>();
        boolean one = routerIds.size() == 1; // the poll's own load: the simplest plan
        try (Connection c = db.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT router_id, id, mac_address, ip_address, expires_at, rate_limit, state, updated_at "
                        + "FROM access_grant WHERE router_id " + (one ? "= ?" : "= ANY (?)")
                        + " AND state IN ('pending', 'on_router') AND expires_at > ? ORDER BY router_id, mac_address")) {
            if (one) {
                select.setLong(1, routerIds.iterator().next());
            } else {
                select.setArray(1, c.createArrayOf("bigint", routerIds.toArray()));
            }
            select.setObject(2, now.atOffset(ZoneOffset.UTC));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    long routerId = rows.getLong(1);
                    Instant expires = rows.getObject(5, OffsetDateTime.class).toInstant();
                    Instant updated = rows.getObject(8, OffsetDateTime.class).toInstant();
                    grants.computeIfAbsent(routerId, id -> new ArrayList<>()).add(new LiveGrant(rows.getLong(2),
                            rows.getString(3), rows.getString(4), expires, rows.getString(6), updated,
                            "pending".equals(rows.getString(7))));
                    earliestExpiry.merge(routerId, expires, (x, y) -> x.isBefore(y) ? x : y);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the grants of routers " + routerIds, e);
        }
        Map<Long, LiveList> lists = new HashMap<>();
        for (long routerId : routerIds) {
            List<LiveGrant> live = grants.getOrDefault(routerId, List.of());
            lists.put(routerId, new LiveList(routerId, version(live), List.copyOf(live), earliestExpiry.get(routerId),
                    false));
        }
        return lists;
    }

    /**
     * count-latest-digest: how many grants, the latest change among them (µs), and an order-free digest of every
     * grant's id, form and content. Count and latest alone can stay equal while the list changes (two payments
     * committing in the other order than their timestamps), and a confirmation must never be taken for a list the
     * router did not get. At most 7 + 1 + 16 + 1 + 8 characters.
     */
    static String version(List<LiveGrant> grants) {
        long latest = 0;
        long digest = 0;
        for (LiveGrant g : grants) {
            long updated = micros(g.updatedAt());
            latest = Math.max(latest, updated);
            long h = g.id();
            h = h * 0x9E3779B97F4A7C15L + updated;
            h = h * 0x9E3779B97F4A7C15L + micros(g.expiresAt());
            h = h * 0x9E3779B97F4A7C15L + g.rateLimit().hashCode();
            h = h * 0x9E3779B97F4A7C15L + g.macAddress().hashCode();
            digest += mix(h);
        }
        return grants.size() + "-" + latest + "-" + String.format("%08x", (int) (digest ^ (digest >>> 32)));
    }

    private static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    /** SplitMix64's finaliser: spreads every input bit over the whole word, so the digest's sum does not cancel. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
