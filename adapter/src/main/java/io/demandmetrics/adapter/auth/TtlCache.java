package io.demandmetrics.adapter.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers remembered for a while. Bounded: when it holds {@code maxEntries} it is emptied,
 * which costs some repeated reviews and never memory. A TTL of zero disables it.
 */
public final class TtlCache<K, V> {

    private record Entry<V>(V value, Instant expires) {
    }

    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final Clock clock;
    private final int maxEntries;

    public TtlCache(Duration ttl, Clock clock, int maxEntries) {
        this.ttl = ttl;
        this.clock = clock;
        this.maxEntries = maxEntries;
    }

    public V get(K key) {
        Entry<V> entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (!clock.instant().isBefore(entry.expires())) {
            entries.remove(key, entry);
            return null;
        }
        return entry.value();
    }

    public void remove(K key) {
        entries.remove(key);
    }

    public void put(K key, V value) {
        if (ttl.isZero()) {
            return;
        }
        if (entries.size() >= maxEntries) {
            entries.clear();
        }
        entries.put(key, new Entry<>(value, clock.instant().plus(ttl)));
    }
}
