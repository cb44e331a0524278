package io.demandmetrics.adapter.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The version rule: the same major, and the plugin's minor no later than the adapter's. */
class SpiCompatibilityTest {

    @ParameterizedTest
    @CsvSource({
        "1.0, 1.0, true",
        "1.0, 1.3, true",     // built against an earlier minor: runs
        "1.2, 1.3, true",
        "1.03, 1.3, true",    // the same numbers, written otherwise
        "1.4, 1.3, false",    // built against a later minor: may call what this adapter lacks
        "2.0, 1.3, false",
        "0.9, 1.0, false",
        "1, 1.0, false",
        "1.0.1, 1.0, false",
        "'1.0 ', 1.0, false",
    })
    void aPluginRunsOnItsSpiOrALaterMinor(String plugin, String adapter, boolean runs) {
        String problem = SpiCompatibility.problem(List.of(plugin), adapter);
        assertThat(problem == null).as("%s on %s: %s", plugin, adapter, problem).isEqualTo(runs);
    }

    @ParameterizedTest
    @CsvSource({"1.0, 1.4, 1.3", "1.4, 1.0, 1.3"})
    void everyJarOfAPluginMustBeCompatible(String first, String second, String adapter) {
        assertThat(SpiCompatibility.problem(List.of(first, second), adapter)).contains("built against SPI 1.4");
    }

    @org.junit.jupiter.api.Test
    void aHostileVersionIsQuotedBounded() {
        assertThat(SpiCompatibility.problem(List.of("x".repeat(500) + "\u001b[2J"), "1.0"))
                .startsWith("its SPI version \"xxx").hasSizeLessThan(200).doesNotContain("\u001b");
    }
}
