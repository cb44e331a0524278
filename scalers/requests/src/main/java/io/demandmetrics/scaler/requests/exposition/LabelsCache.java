package io.demandmetrics.scaler.requests.exposition;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Label sets already parsed, by their exact text ({@code {code="200",uri="/a"}}), shared by
 * the parsers of many targets: the pods of one app expose the same series in every scrape,
 * so most label sets are found here and cost neither parsing nor allocation. Without it each
 * scrape of 300 series made about a thousand short-lived strings, and the collections they
 * caused paused the event loop that also answers the HPA.
 *
 * <p>Direct-mapped and bounded: a text's slot is its hash, a new text replaces the one in its
 * slot, so no mix of texts (a target whose labels churn, a hostile one) can grow it or slow a
 * lookup. Thread-safe: entries are immutable, and a lost race only costs a parse.
 */
public final class LabelsCache {

    /** Label sets longer than this are parsed every time rather than copied in here. */
    static final int MAX_TEXT_BYTES = 1024;

    private record Entry(byte[] text, boolean openMetrics, int hash, Labels labels) {
    }

    private final AtomicReferenceArray<Entry> slots;
    private final int mask;

    /** @param slots rounded up to a power of two: at most this many label sets are kept */
    public LabelsCache(int slots) {
        int size = Integer.highestOneBit(Math.max(1, slots - 1)) << 1;
        this.slots = new AtomicReferenceArray<>(size);
        this.mask = size - 1;
    }

    /** The labels parsed before from {@code in[from, to)} in the same format, or null. */
    Labels get(byte[] in, int from, int to, boolean openMetrics) {
        int hash = hash(in, from, to);
        Entry entry = slots.get(hash & mask);
        if (entry != null && entry.hash == hash && entry.openMetrics == openMetrics
                && Arrays.equals(entry.text, 0, entry.text.length, in, from, to)) {
            return entry.labels;
        }
        return null;
    }

    /** Keeps {@code labels} as what {@code in[from, to)} parses to in that format. */
    void put(byte[] in, int from, int to, boolean openMetrics, Labels labels) {
        if (to - from > MAX_TEXT_BYTES) {
            return;
        }
        int hash = hash(in, from, to);
        slots.set(hash & mask, new Entry(Arrays.copyOfRange(in, from, to), openMetrics, hash, labels));
    }

    private static int hash(byte[] in, int from, int to) {
        int hash = 1;
        for (int i = from; i < to; i++) {
            hash = 31 * hash + in[i];
        }
        return hash ^ (hash >>> 16);
    }
}
