package io.demandmetrics.scaler.requests.series;

import io.demandmetrics.scaler.requests.exposition.Labels;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One instance of each series key, label set and metric name across every target's history: the pods of
 * one app expose the same label sets ({@code code="200",uri="/api/orders"}), so 1,000 pods hold
 * one copy of each instead of 1,000. Bounded: past {@link #MAX_ENTRIES} it starts afresh
 * (equal sets then get a new shared instance; nothing is wrong, only less is shared).
 */
public final class Interner {

    static final int MAX_ENTRIES = 1 << 20;

    private final ConcurrentHashMap<Labels, Labels> labels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> names = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TargetHistory.SeriesKey, TargetHistory.SeriesKey> seriesKeys =
            new ConcurrentHashMap<>();

    /** The shared key of a series (its name and labels shared too); made once per pool, not once per target. */
    public TargetHistory.SeriesKey seriesKey(String name, Labels labels) {
        if (seriesKeys.size() >= MAX_ENTRIES) {
            seriesKeys.clear();
        }
        TargetHistory.SeriesKey candidate = TargetHistory.SeriesKey.of(name(name), labels(labels));
        TargetHistory.SeriesKey shared = seriesKeys.putIfAbsent(candidate, candidate);
        return shared == null ? candidate : shared;
    }

    public Labels labels(Labels candidate) {
        if (labels.size() >= MAX_ENTRIES) {
            labels.clear();
        }
        Labels shared = labels.putIfAbsent(candidate, candidate);
        return shared == null ? candidate : shared;
    }

    public String name(String candidate) {
        if (names.size() >= MAX_ENTRIES) {
            names.clear();
        }
        String shared = names.putIfAbsent(candidate, candidate);
        return shared == null ? candidate : shared;
    }
}
