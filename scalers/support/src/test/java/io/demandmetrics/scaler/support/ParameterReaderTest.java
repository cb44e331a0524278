package io.demandmetrics.scaler.support;

import io.demandmetrics.scaler.spi.InvalidConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParameterReaderTest {

    @Test
    void readsTypedValuesWithDefaults() throws Exception {
        ParameterReader p = new ParameterReader(Map.of("group", "orders", "lagThreshold", "25", "idle", true,
                "window", "90s", "mode", "rate", "ratio", 0.5), "group", "lagThreshold", "idle", "window", "mode",
                "ratio", "absent");
        assertThat(p.string("group")).isEqualTo("orders");
        assertThat(p.integer("lagThreshold", 10, 1)).isEqualTo(25);
        assertThat(p.bool("idle", false)).isTrue();
        assertThat(p.duration("window", Duration.ZERO, Duration.ZERO)).isEqualTo(Duration.ofSeconds(90));
        assertThat(p.oneOf("mode", "lag", List.of("lag", "rate"))).isEqualTo("rate");
        assertThat(p.number("ratio", 1, 0)).isEqualTo(0.5);
        assertThat(p.string("absent", "fallback")).isEqualTo("fallback");
        p.throwIfInvalid();
    }

    @Test
    void reportsEveryProblemInTheHouseForms() {
        ParameterReader p = new ParameterReader(Map.of("lagThreshold", "abc", "minimum", 0, "mode", "fast",
                "lagTreshold", 5, "enabled", "yes", "ratio", "NaN"), "group", "lagThreshold", "minimum", "mode",
                "enabled", "ratio");
        p.string("group");
        p.integer("lagThreshold", 10, 1);
        p.integer("minimum", 1);
        p.oneOf("mode", "lag", List.of("lag", "rate"));
        p.bool("enabled", false);
        p.number("ratio", 1, 0);
        InvalidConfigException error = catchThrowableOfType(InvalidConfigException.class, p::throwIfInvalid);
        assertThat(error.problems()).containsExactly(
                "unknown parameter \"lagTreshold\"; known: [enabled, group, lagThreshold, minimum, mode, ratio]",
                "missing required parameter \"group\"",
                "parameter \"lagThreshold\" value \"abc\" is not an integer",
                "parameter \"minimum\" value \"0\" must be >= 1",
                "parameter \"mode\" value \"fast\" must be one of [lag, rate]",
                "parameter \"enabled\" value \"yes\" must be one of [true, false]",
                "parameter \"ratio\" value \"NaN\" is not a finite number");
        assertThat(error.getMessage()).isEqualTo(String.join("; ", error.problems()));
    }

    @Test
    void askingForAnUndeclaredParameterIsAProgrammingError() {
        ParameterReader p = new ParameterReader(Map.of(), "known");
        assertThatThrownBy(() -> p.string("other")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEmptyStringIsNotAValue() {
        ParameterReader p = new ParameterReader(Map.of("group", " "), "group");
        p.string("group");
        assertThat(p.problems()).containsExactly("parameter \"group\" value \" \" must not be empty");
    }
}
