package io.demandmetrics.adapter.store;

import io.demandmetrics.adapter.api.Discovery;
import io.demandmetrics.adapter.config.MetricKey;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One config version as requests see it: the metrics by key and the discovery documents.
 * Immutable; a reload builds a new catalog and swaps it in whole, so a request sees either
 * the old config or the new one, never a mix.
 */
public final class Catalog {

    private final Map<MetricKey, MetricState> states;
    private final List<MetricKey> keys;
    private final Discovery discovery;

    private Catalog(Map<MetricKey, MetricState> states, List<MetricKey> keys, Discovery discovery) {
        this.states = states;
        this.keys = keys;
        this.discovery = discovery;
    }

    /** @param states in config order */
    public static Catalog of(Collection<MetricState> states) {
        Map<MetricKey, MetricState> byKey = new HashMap<>();
        states.forEach(s -> byKey.put(s.definition().key(), s));
        return new Catalog(Map.copyOf(byKey), states.stream().map(s -> s.definition().key()).toList(),
                Discovery.of(states.stream()
                .map(s -> new Discovery.Entry(s.definition().key().resource(), s.definition().key().name()))
                .toList()));
    }

    /** The metric, or null when none is configured under that key. */
    public MetricState state(MetricKey key) {
        return states.get(key);
    }

    /** The metrics' keys, in config order. */
    public List<MetricKey> keys() {
        return keys;
    }

    public Discovery discovery() {
        return discovery;
    }

    public int size() {
        return states.size();
    }
}
