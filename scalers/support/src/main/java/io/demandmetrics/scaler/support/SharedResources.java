package io.demandmetrics.scaler.support;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Resources that the scalers of one type share, one per key: a client per cluster, per
 * region and credentials. The first scaler that asks for a key opens its resource, each
 * scaler holds a {@link Lease}, and the resource is closed when the last lease is released.
 * A provider keeps one instance and hands leases to the scalers it creates.
 *
 * <p>Thread-safe: scalers are created and closed on the adapter's polling event loop, and
 * statistics are read from any thread. Opening and closing run under this registry's lock,
 * so they must be quick and must not block (build an expensive client on first use instead,
 * on a worker).
 *
 * @param <K> what tells resources apart (a record of the settings that matter)
 * @param <R> the shared resource
 */
public final class SharedResources<K, R> {

    /** Opens the resource for a key that has none. */
    @FunctionalInterface
    public interface Opener<R> {
        /**
         * @param users how many leases the resource has at any moment, e.g. for a gauge
         */
        R open(IntSupplier users);
    }

    private final java.util.function.Consumer<R> closer;
    private final Map<K, Entry<R>> entries = new HashMap<>();

    private static final class Entry<R> {
        R resource;
        volatile int users;
    }

    /** @param closer closes a resource whose last lease was released */
    public SharedResources(java.util.function.Consumer<R> closer) {
        this.closer = closer;
    }

    /**
     * A lease on the resource for {@code key}, opened by {@code opener} if there is none.
     *
     * @throws RuntimeException what {@code opener} threw; nothing is kept then
     */
    public synchronized Lease acquire(K key, Opener<R> opener) {
        Entry<R> entry = entries.get(key);
        if (entry == null) {
            Entry<R> fresh = new Entry<>();
            fresh.resource = opener.open(() -> fresh.users);
            entries.put(key, fresh);
            entry = fresh;
        }
        entry.users++;
        return new Lease(key, entry);
    }

    private synchronized void release(K key, Entry<R> entry) {
        if (--entry.users == 0) {
            entries.remove(key, entry);
            closer.accept(entry.resource);
        }
    }

    /** One scaler's hold on a shared resource. */
    public final class Lease {

        private final K key;
        private final Entry<R> entry;
        private boolean released;

        private Lease(K key, Entry<R> entry) {
            this.key = key;
            this.entry = entry;
        }

        public R resource() {
            return entry.resource;
        }

        /** Gives the resource back; the last release closes it. A second call does nothing. */
        public void release() {
            synchronized (SharedResources.this) {
                if (released) {
                    return;
                }
                released = true;
                SharedResources.this.release(key, entry);
            }
        }
    }
}
