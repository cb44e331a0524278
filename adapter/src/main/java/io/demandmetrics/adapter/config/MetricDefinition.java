package io.demandmetrics.adapter.config;

import io.demandmetrics.adapter.tls.Sha256;
import io.demandmetrics.scaler.spi.ScalerProvider;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One configured metric, validated, with its scaler config parsed once.
 *
 * @param object the described object's name for a custom metric whose scaler returns one
 *     unattributed value (a cron schedule about a deployment); null otherwise
 * @param fallback the value served while the source has no fresh value, or null to answer 503
 * @param lead serve the metric's values forecast this far ahead (never below observed), or null
 */
public record MetricDefinition(MetricKey key, String type, Map<String, Object> parameters,
                               ScalerProvider<Object> provider, Object scalerConfig, String object,
                               Duration pollInterval, Duration timeout, Duration maxAge, Double fallback,
                               Duration lead) {

    /** {@code metric "shop/orders-lag" (type "kafka-lag")}: the prefix of every message about it. */
    public String describe() {
        return "metric \"" + key.id() + "\" (type \"" + type + "\")";
    }

    /**
     * Whether a reload can keep this metric's running scaler and last value: everything the
     * user wrote is the same.
     */
    public boolean sameSettingsAs(MetricDefinition other) {
        return key.equals(other.key) && type.equals(other.type) && parameters.equals(other.parameters)
                && provider == other.provider && Objects.equals(object, other.object)
                && pollInterval.equals(other.pollInterval) && timeout.equals(other.timeout)
                && maxAge.equals(other.maxAge) && Objects.equals(fallback, other.fallback)
                && Objects.equals(lead, other.lead);
    }

    /**
     * What places this metric in a replica's bucket and at an instant of its poll interval: the
     * polling it shares with other metrics ({@link ScalerProvider#sharedPolling}), else its own
     * {@code describes/id}. A provider that fails here is treated as sharing nothing: placement
     * must not stop a replica.
     */
    public String placement() {
        String shared;
        try {
            shared = provider == null ? null : provider.sharedPolling(scalerConfig, key.namespace());
        } catch (RuntimeException e) {
            shared = null;
        }
        return shared != null ? "shared:" + shared : key.describes() + "/" + key.id();
    }

    /**
     * The source this metric reads, named for the log ({@link ScalerProvider#source}), or null
     * when it is its own source. A provider that fails here names none: naming is for the log.
     */
    public String source() {
        try {
            return provider == null ? null : provider.source(scalerConfig, key.namespace());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * A digest of everything {@link #sameSettingsAs} compares but the provider instance: two
     * replicas whose definitions of a metric have equal fingerprints serve it the same way. A
     * SHA-256, so parameters (which may hold credentials) never travel.
     */
    public String settingsFingerprint() {
        StringBuilder canonical = new StringBuilder();
        canonical.append(key.id()).append('|').append(key.describes()).append('|').append(type).append('|');
        appendCanonical(canonical, parameters);
        canonical.append('|').append(object).append('|').append(pollInterval).append('|').append(timeout)
                .append('|').append(maxAge).append('|').append(fallback).append('|').append(lead);
        return Sha256.hex(canonical.toString()).substring(0, 32); // 128 bits tell settings apart
    }

    /** Maps with their keys sorted, lists in order, scalars by type and value. */
    private static void appendCanonical(StringBuilder out, Object value) {
        if (value instanceof Map<?, ?> map) {
            out.append('{');
            new java.util.TreeMap<>(map.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                    entry -> String.valueOf(entry.getKey()), Map.Entry::getValue, (a, b) -> a)))
                    .forEach((name, item) -> {
                        out.append(name.length()).append(':').append(name).append('=');
                        appendCanonical(out, item);
                        out.append(';');
                    });
            out.append('}');
        } else if (value instanceof java.util.List<?> list) {
            out.append('[');
            list.forEach(item -> {
                appendCanonical(out, item);
                out.append(',');
            });
            out.append(']');
        } else {
            String text = String.valueOf(value);
            out.append(value == null ? "null" : value.getClass().getSimpleName()).append(text.length()).append(':')
                    .append(text);
        }
    }
}
