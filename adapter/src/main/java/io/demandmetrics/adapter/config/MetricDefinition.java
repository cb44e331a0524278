package io.demandmetrics.adapter.config;

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
}
