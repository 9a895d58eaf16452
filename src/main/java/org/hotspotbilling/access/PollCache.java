package org.hotspotbilling.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import org.hotspotbilling.router.RouterService;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What router polls need, in this instance's memory, so that most polls are answered without the database: which
 * router a poll token belongs to (by the token's SHA-256), and each router's live list.
 *
 * <p>How stale it can be. A change made by this instance is forgotten when its transaction commits, before the
 * request that made it is answered ({@link GrantsChanged}, {@link RouterService.PollTokenRevoked}). A change made
 * anywhere else (another instance, the expiry sweeper, SQL by hand) arrives as a PostgreSQL notification sent by
 * triggers on commit ({@link PollCacheListener}), within milliseconds. While the listening connection is down,
 * nothing in memory is used; when it is back, everything is forgotten, since notifications sent meanwhile are lost.
 * A grant's expiry needs no notice: a list is used only until the earliest expiry among its grants. Whatever got
 * past all of that is forgotten after {@code hotspot.access.poll.cache-ttl}.
 *
 * <p>Races between a load from the database and a change: every load takes a stamp from one counter before it
 * reads, every forgetting takes a newer one; an entry counts only if its stamp is at least the latest forgetting
 * of its router, so a load that may have read before a change committed is never used after the change is known.
 */
@ApplicationScoped
public class PollCache {

    /**
     * Fired in a transaction that changed a router's grants: this instance forgets the router's list on commit
     * ({@link PollListRefresher}).
     */
    public record GrantsChanged(long routerId) {
    }

    /** Beyond this many tokens the least used are checked in the database again (about 150 bytes each). */
    private static final int MAX_TOKENS = 200_000;

    private record TokenEntry(long routerId, long stamp) {
    }

    private record ListEntry(RouterPoll.LiveList list, long stamp) {
    }

    private final boolean enabled;
    private final Cache<String, TokenEntry> tokens;
    private final Cache<Long, ListEntry> lists;
    private final Map<Long, Long> tokensForgottenAt = new ConcurrentHashMap<>();
    private final Map<Long, Long> listsForgottenAt = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private volatile long clearedAt;
    private volatile boolean trusted;

    public PollCache(AccessConfig config) {
        Duration ttl = config.poll().cacheTtl();
        this.enabled = !ttl.isZero();
        Duration keep = enabled ? ttl : Duration.ofSeconds(1);
        this.tokens = Caffeine.newBuilder().maximumSize(MAX_TOKENS).expireAfterWrite(keep).build();
        this.lists = Caffeine.newBuilder().maximumWeight(config.poll().cacheMaxGrants())
                .<Long, ListEntry>weigher((id, entry) -> entry.list().grants().size() + 1)
                .expireAfterWrite(keep).build();
    }

    /** A stamp to take before reading what will be remembered. */
    long stamp() {
        return sequence.get();
    }

    /** The router that has this token hash, when known here; null when the database must be asked. */
    Long routerOfToken(String tokenSha256) {
        TokenEntry entry = trusted ? tokens.getIfPresent(tokenSha256) : null;
        return entry != null && current(entry.stamp(), tokensForgottenAt, entry.routerId()) ? entry.routerId() : null;
    }

    void rememberToken(String tokenSha256, long routerId, long stamp) {
        if (enabled && trusted) {
            tokens.put(tokenSha256, new TokenEntry(routerId, stamp));
        }
    }

    /** The router's live list as it is at {@code now}, when known here; null when the database must be asked. */
    RouterPoll.LiveList list(long routerId, Instant now) {
        ListEntry entry = trusted ? lists.getIfPresent(routerId) : null;
        if (entry == null || !current(entry.stamp(), listsForgottenAt, routerId)) {
            return null;
        }
        Instant validUntil = entry.list().validUntil();
        return validUntil == null || now.isBefore(validUntil) ? entry.list() : null;
    }

    void rememberList(RouterPoll.LiveList list, long stamp) {
        if (enabled && trusted) {
            // Of two loads racing, the later reader wins.
            lists.asMap().merge(list.routerId(), new ListEntry(list, stamp),
                    (old, fresh) -> fresh.stamp() >= old.stamp() ? fresh : old);
        }
    }

    /** The same list with some grants now delivered, or its served grants recorded (nothing a router sees). */
    void replaceList(RouterPoll.LiveList old, RouterPoll.LiveList updated) {
        lists.asMap().computeIfPresent(old.routerId(),
                (id, entry) -> entry.list() == old ? new ListEntry(updated, entry.stamp()) : entry);
    }

    /** These grants, in these forms, are now on the router, whichever version of its list is held here. */
    void delivered(long routerId, Map<Long, Instant> marked) {
        if (!marked.isEmpty()) {
            lists.asMap().computeIfPresent(routerId,
                    (id, entry) -> new ListEntry(entry.list().withDelivered(marked), entry.stamp()));
        }
    }

    /**
     * Forgets the router's list; answers whether this instance held one (its router polls here). The stale entry
     * stays until replaced, so that a change arriving while the list is being reloaded is still known as held.
     */
    boolean grantsChanged(long routerId) {
        forget(listsForgottenAt, routerId);
        return lists.asMap().containsKey(routerId);
    }

    void tokenChanged(long routerId) {
        forget(tokensForgottenAt, routerId);
    }

    /** Forgets everything: notifications may have been missed. */
    void clear() {
        clearedAt = sequence.incrementAndGet();
        tokens.invalidateAll();
        lists.invalidateAll();
    }

    /** Whether memory may be used: only while changes are being heard of. */
    void trust(boolean listening) {
        this.trusted = listening;
    }

    /** Whether polls are answered from memory now (the listener is connected and caching is on). */
    public boolean inUse() {
        return enabled && trusted;
    }

    void onPollTokenRevoked(@Observes(during = TransactionPhase.AFTER_SUCCESS)
            RouterService.PollTokenRevoked revoked) {
        tokenChanged(revoked.routerId());
    }

    private void forget(Map<Long, Long> forgottenAt, long routerId) {
        // merge(max): of two forgettings racing, the newer stamp stays.
        forgottenAt.merge(routerId, sequence.incrementAndGet(), Math::max);
    }

    private boolean current(long stamp, Map<Long, Long> forgottenAt, long routerId) {
        Long forgotten = forgottenAt.get(routerId);
        return stamp >= clearedAt && (forgotten == null || stamp >= forgotten);
    }
}
