package io.demandmetrics.adapter.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Sample;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a scaler may return and what becomes of it. */
class ReadingValidatorTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
    private static final MetricKey EXTERNAL = MetricKey.external("shop", "queue");
    private static final MetricKey DEPLOYMENTS = new MetricKey(
            KubernetesResource.byName("deployments.apps").orElseThrow(), "shop", "schedule");

    private static MetricDefinition external() {
        return Readings.definition(EXTERNAL, null, Duration.ofMinutes(1), null);
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void aValueThatIsNotAQuantityFailsThePoll(double value) {
        assertThatThrownBy(() -> ReadingValidator.validate(external(),
                List.of(Sample.of(Map.of("queue", "orders"), value)), T0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the source returned " + value + " for series {queue=orders}, which is not a quantity");
    }

    @Test
    void nullsAreTheScalersFault() {
        assertThatThrownBy(() -> ReadingValidator.validate(external(), null, T0))
                .hasMessage("the test scaler returned no samples (null)");
        assertThatThrownBy(() -> ReadingValidator.validate(external(), Arrays.asList(Sample.of(1), null), T0))
                .hasMessage("the test scaler returned a null sample");
    }

    @Test
    void negativeDemandIsZeroAndAMissingTimestampIsThePollsTime() {
        Instant measured = T0.minusSeconds(5);
        Reading reading = ReadingValidator.validate(external(), List.of(Sample.of(-3), Sample.of(2).at(measured)), T0);
        assertThat(reading.samples()).extracting(Sample::value).containsExactly(0.0, 2.0);
        assertThat(reading.samples()).extracting(Sample::timestamp).containsExactly(T0, measured);
        assertThat(reading.fetchedAt()).isEqualTo(T0);
    }

    @Test
    void aCustomMetricsUnattributedValueGoesToItsObject() {
        MetricDefinition definition = Readings.definition(DEPLOYMENTS, "checkout", Duration.ofMinutes(1), null);
        Reading reading = ReadingValidator.validate(definition, List.of(Sample.of(5),
                Sample.forObject(DescribedObject.named("cart"), 1)), T0);
        assertThat(reading.samples()).extracting(s -> s.object().name()).containsExactly("checkout", "cart");
    }

    @Test
    void aCustomMetricsUnattributedValueWithoutObjectFieldFailsSayingWhatToSet() {
        MetricDefinition definition = Readings.definition(DEPLOYMENTS, null, Duration.ofMinutes(1), null);
        assertThatThrownBy(() -> ReadingValidator.validate(definition, List.of(Sample.of(5)), T0))
                .hasMessage("the test scaler returned a value that describes no object; set field \"object\" to"
                        + " the name of the Deployment it describes");
    }

    @Test
    void nothingIsCombinedAtPollTime() {
        MetricDefinition summing = Readings.definition(DEPLOYMENTS, "checkout", Duration.ofMinutes(1), null,
                (samples, narrowed) -> List.of(Sample.of(samples.stream().mapToDouble(Sample::value).sum())));
        Reading reading = ReadingValidator.validate(summing, List.of(Sample.of(1), Sample.of(2)), T0);
        assertThat(reading.samples()).hasSize(2); // the view combines what a request selects
    }
}
