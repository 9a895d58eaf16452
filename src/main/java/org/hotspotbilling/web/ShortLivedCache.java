package org.hotspotbilling.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Answers read from PostgreSQL, kept for a fixed time, that a change can drop at once. A read that raced a change
 * is not kept: take {@link #generation()} before reading and hand it to {@link #remember} ({@link #getOrRead} does
 * both); a {@link #forget} in between (called once the change has committed) makes that a no-op. A time of zero keeps
 * nothing.
 */
public final class ShortLivedCache<K, V> {

    private final Cache<K, V> entries;
    private long generation;

    public ShortLivedCache(Duration keepFor, long maximumSize) {
        this.entries = keepFor.isZero() ? null
                : Caffeine.newBuilder().maximumSize(maximumSize).expireAfterWrite(keepFor).build();
    }

    /** The kept answer, or null: read it. */
    public V get(K key) {
        return entries == null ? null : entries.getIfPresent(key);
    }

    /** The kept answer, or {@code read}'s (which must not be null), kept unless a change was forgotten meanwhile. */
    public V getOrRead(K key, Supplier<V> read) {
        V kept = get(key);
        if (kept != null) {
            return kept;
        }
        long before = generation();
        V value = read.get();
        remember(key, value, before);
        return value;
    }

    /** Taken before a database read and handed back to {@link #remember}. */
    public synchronized long generation() {
        return generation;
    }

    /** Keeps an answer read from the database unless something was forgotten since {@code generationBefore}. */
    public synchronized void remember(K key, V value, long generationBefore) {
        if (entries != null && generation == generationBefore) {
            entries.put(key, value);
        }
    }

    /** Drops every answer; called once a change that may touch any of them has committed. */
    public synchronized void forgetAll() {
        generation++;
        if (entries != null) {
            entries.invalidateAll();
        }
    }

    /** Drops a key's answer; called once a change of it has committed. */
    public synchronized void forget(K key) {
        generation++;
        if (entries != null) {
            entries.invalidate(key);
        }
    }
}
