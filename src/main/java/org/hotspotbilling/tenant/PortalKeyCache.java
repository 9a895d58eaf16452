package org.hotspotbilling.tenant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Which owner a captive portal's public key belongs to, remembered for {@link TenantConfig#publicKeyCacheTtl()}, so
 * the portal's busiest calls (package list, check-status, initiate) do not look the key up in PostgreSQL each time.
 *
 * <p>How stale it can be: a key replaced through this instance (rotate, generate, custom keys) stops working here
 * as soon as the change commits. On other instances, and when an owner is disabled directly in the database, an
 * answer seen before the change can be given for up to the TTL. Unknown keys are not remembered, so a new key works
 * everywhere at once. A TTL of zero turns the cache off.
 */
@ApplicationScoped
public class PortalKeyCache {

    /** The owner a public key belonged to when it was looked up. */
    public record KeyOwner(long ownerId, boolean active) {
    }

    private final Cache<String, KeyOwner> byKey;
    /** Bumped by every invalidation, so a lookup that raced one does not store what it read before the change. */
    private long generation;

    public PortalKeyCache(TenantConfig config) {
        this.byKey = config.publicKeyCacheTtl().isZero() ? null : Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(config.publicKeyCacheTtl())
                .build();
    }

    /** The remembered owner of this canonical public key, or null: look it up. */
    KeyOwner get(String publicKey) {
        return byKey == null ? null : byKey.getIfPresent(publicKey);
    }

    /** Taken before a database lookup and handed back to {@link #remember}. */
    synchronized long generation() {
        return generation;
    }

    /** Stores a lookup's answer unless the key's owner changed since {@code generationBefore} was taken. */
    synchronized void remember(String publicKey, KeyOwner owner, long generationBefore) {
        if (byKey != null && generation == generationBefore) {
            byKey.put(publicKey, owner);
        }
    }

    /** Forgets these keys; called once a change of them has committed. */
    synchronized void forget(String... publicKeys) {
        generation++;
        if (byKey != null) {
            for (String key : publicKeys) {
                if (key != null) {
                    byKey.invalidate(key);
                }
            }
        }
    }
}
