package org.hotspotbilling.access;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import org.hotspotbilling.crypto.Hashes;
import org.hotspotbilling.web.NotFound;
import org.hotspotbilling.web.Unauthenticated;

import java.sql.Array;
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
import java.util.stream.Collectors;

/**
 * What a router fetches in pull mode: its live grants. The list's version is derived from the grants themselves
 * (how many are live, and the latest change among them), so it changes when a grant is added, extended, revoked
 * or expires, and completing a payment never has to touch the router row. A grant counts as delivered once a
 * poll has returned it.
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

    /** One live grant as the router needs it; {@code pending} until a poll (or a push) has delivered it. */
    public record LiveGrant(long id, String macAddress, String ipAddress, Instant expiresAt, String rateLimit,
            boolean pending) {

        public long secondsLeft(Instant now) {
            return Math.max(1, Duration.between(now, expiresAt).toSeconds());
        }
    }

    /**
     * A router's live grants by MAC and their version, as read at one instant; the same until a grant changes in
     * the database or {@code validUntil} (the earliest expiry among them, null when there are none) has come.
     */
    public record LiveList(long routerId, String version, List<LiveGrant> grants, Instant validUntil) {

        public int pages() {
            return Math.max(1, (grants.size() + PAGE_SIZE - 1) / PAGE_SIZE);
        }

        public List<LiveGrant> page(int page) {
            int from = (int) Math.min(grants.size(), (long) (page - 1) * PAGE_SIZE);
            return grants.subList(from, Math.min(grants.size(), from + PAGE_SIZE));
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
        LiveList cached = cache.list(routerId, now);
        if (cached != null) {
            return cached;
        }
        long stamp = cache.stamp();
        LiveList loaded = load(routerId, now);
        cache.rememberList(loaded, stamp);
        return loaded;
    }

    /** Marks the pending grants among those a poll returned as on the router. */
    public void delivered(LiveList list, List<LiveGrant> returned) {
        Set<Long> pending = returned.stream().filter(LiveGrant::pending).map(LiveGrant::id)
                .collect(Collectors.toSet());
        if (pending.isEmpty()) {
            return;
        }
        // Not through the entities: their updated_at is the list's version, and delivery changes no grant.
        try (Connection c = db.getConnection(); PreparedStatement update = c.prepareStatement(
                "UPDATE access_grant SET state = 'on_router' WHERE id = ANY (?) AND state = 'pending'")) {
            Array ids = c.createArrayOf("bigint", pending.toArray());
            update.setArray(1, ids);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not record the delivery of router " + list.routerId()
                    + "'s grants", e);
        }
        List<LiveGrant> grants = list.grants().stream().map(g -> g.pending() && pending.contains(g.id())
                ? new LiveGrant(g.id(), g.macAddress(), g.ipAddress(), g.expiresAt(), g.rateLimit(), false) : g)
                .toList();
        cache.replaceList(list, new LiveList(list.routerId(), list.version(), grants, list.validUntil()));
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
        Map<Long, Instant> latest = new HashMap<>();
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
                            rows.getString(3), rows.getString(4), expires, rows.getString(6),
                            "pending".equals(rows.getString(7))));
                    latest.merge(routerId, updated, (x, y) -> x.isAfter(y) ? x : y);
                    earliestExpiry.merge(routerId, expires, (x, y) -> x.isBefore(y) ? x : y);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the grants of routers " + routerIds, e);
        }
        Map<Long, LiveList> lists = new HashMap<>();
        for (long routerId : routerIds) {
            List<LiveGrant> live = grants.getOrDefault(routerId, List.of());
            lists.put(routerId, new LiveList(routerId, version(live.size(), latest.get(routerId)), List.copyOf(live),
                    earliestExpiry.get(routerId)));
        }
        return lists;
    }

    private static String version(int count, Instant latest) {
        return count + "-" + (latest == null ? 0 : ChronoUnit.MICROS.between(Instant.EPOCH, latest));
    }
}
