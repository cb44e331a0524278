package io.demandmetrics.adapter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link MetricDefinition#settingsFingerprint}: what two replicas compare before one serves the other's reading. */
class MetricDefinitionTest {

    private static MetricDefinition definition(Map<String, Object> parameters, Duration maxAge) {
        return new MetricDefinition(MetricKey.external("shop", "lag"), "kafka-lag", parameters, null, parameters, null,
                Duration.ofSeconds(15), Duration.ofSeconds(5), maxAge, null, null);
    }

    @Test
    void equalSettingsHaveEqualFingerprintsWhateverTheOrderOfTheirKeys() {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("topic", "orders");
        one.put("sasl", Map.of("mechanism", "plain", "password", "s3cret"));
        Map<String, Object> other = new LinkedHashMap<>();
        other.put("sasl", Map.of("password", "s3cret", "mechanism", "plain"));
        other.put("topic", "orders");
        assertThat(definition(one, Duration.ofMinutes(1)).settingsFingerprint())
                .isEqualTo(definition(other, Duration.ofMinutes(1)).settingsFingerprint())
                .hasSize(32)
                .doesNotContain("s3cret");
    }

    @Test
    void anyChangedSettingChangesTheFingerprint() {
        String base = definition(Map.of("topic", "orders", "lagThreshold", 10), Duration.ofMinutes(1)).settingsFingerprint();
        assertThat(List.of(
                definition(Map.of("topic", "orders", "lagThreshold", 11), Duration.ofMinutes(1)),
                definition(Map.of("topic", "orders", "lagThreshold", "10"), Duration.ofMinutes(1)),
                definition(Map.of("topic", "orders", "lagThreshold", List.of(10)), Duration.ofMinutes(1)),
                definition(Map.of("topic", "orders", "lagThreshold", 10), Duration.ofMinutes(2))))
                .extracting(MetricDefinition::settingsFingerprint)
                .doesNotContain(base)
                .doesNotHaveDuplicates();
    }
}
