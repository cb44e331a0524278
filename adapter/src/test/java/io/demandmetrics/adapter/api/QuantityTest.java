package io.demandmetrics.adapter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantityTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "1.5, 1500m",
        "12, 12",
        "2000, 2k",
        "1500, 1500",
        "0.0004, 1m",
        "0.001, 1m",
        "0.0011, 2m",
        "0, 0",
        "-0.0, 0",
        "0.5, 500m",
        "5.914, 5914m",
        "1000000, 1M",
        "2500000, 2500k",
        "1e9, 1G",
        "1e15, 1P",
        "1e18, 1E",
        "1e21, 1000E",
        "0.30000000000000004, 300m",
        "123456.789, 123456789m"})
    void canonicalForm(double value, String expected) {
        assertThat(Quantity.format(value)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1, -0.001, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void rejectsWhatIsNotDemand(double value) {
        assertThatThrownBy(() -> Quantity.format(value)).isInstanceOf(IllegalArgumentException.class);
    }
}
