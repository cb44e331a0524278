package io.demandmetrics.scaler.http.exposition;

import java.util.Arrays;

/**
 * One target's series as they were last written, keyed by their raw bytes
 * ({@code name{labels}}), so a steady scrape finds each series without parsing its labels or
 * allocating: a target writes the same series the same way scrape after scrape (Prometheus'
 * scrape cache rests on the same fact). Entries not seen in a scrape are dropped once they
 * outnumber the seen ones, so a target whose series churn holds no more than it writes.
 *
 * <p>Not thread-safe: one target is scraped once at a time.
 */
public final class SeriesCache {

    /** A series as written, with what parsing it gave. */
    static final class Entry {
        final byte[] raw;
        final int hash;
        final String name;
        final Labels labels;
        /** The scrape that last had it: a second sighting in one scrape is a duplicate series. */
        long seenIn;

        Entry(byte[] raw, int hash, String name, Labels labels) {
            this.raw = raw;
            this.hash = hash;
            this.name = name;
            this.labels = labels;
        }
    }

    private Entry[] table = new Entry[256];
    private int size;
    private long scrape;

    /** Starts a scrape; returns its number, for {@link Entry#seenIn}. */
    long startScrape() {
        return ++scrape;
    }

    /** The entry written as {@code in[from, to)}, or null. */
    Entry find(byte[] in, int from, int to) {
        int hash = hash(in, from, to);
        int mask = table.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            Entry entry = table[i];
            if (entry == null) {
                return null;
            }
            if (entry.hash == hash && Arrays.equals(entry.raw, 0, entry.raw.length, in, from, to)) {
                return entry;
            }
        }
    }

    /** Adds the series written as {@code in[from, to)}. */
    Entry add(byte[] in, int from, int to, String name, Labels labels) {
        if ((size + 1) * 2 > table.length) {
            rehash(table.length * 2, false);
        }
        Entry entry = new Entry(Arrays.copyOfRange(in, from, to), hash(in, from, to), name, labels);
        insert(entry);
        size++;
        return entry;
    }

    /** Ends a scrape that saw {@code seen} series: drops the unseen ones once they are the many. */
    void endScrape(int seen) {
        if (size > 2 * seen + 256) {
            rehash(Math.max(256, Integer.highestOneBit(Math.max(1, seen) * 4)), true);
        }
    }

    public int size() {
        return size;
    }

    private void rehash(int capacity, boolean onlySeen) {
        Entry[] old = table;
        table = new Entry[capacity];
        size = 0;
        for (Entry entry : old) {
            if (entry != null && (!onlySeen || entry.seenIn == scrape)) {
                insert(entry);
                size++;
            }
        }
    }

    private void insert(Entry entry) {
        int mask = table.length - 1;
        int i = entry.hash & mask;
        while (table[i] != null) {
            i = (i + 1) & mask;
        }
        table[i] = entry;
    }

    private static int hash(byte[] in, int from, int to) {
        int hash = 1;
        for (int i = from; i < to; i++) {
            hash = 31 * hash + in[i];
        }
        return hash ^ (hash >>> 16);
    }
}
