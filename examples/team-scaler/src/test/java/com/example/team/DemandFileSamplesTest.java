package com.example.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandmetrics.scaler.spi.Sample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the team's job writes, read into samples; and what it may get wrong, refused with a clear message. */
class DemandFileSamplesTest {

    @Test
    void perPodAndPerSeriesEntriesBecomeSamples() {
        List<Sample> samples = DemandFileScalerProvider.samples("""
                [{"object": "web-1", "objectLabels": {"app": "web"}, "value": 5.9},
                 {"labels": {"queue": "orders"}, "value": 120}]
                """);
        assertThat(samples).hasSize(2);
        assertThat(samples.get(0).object().name()).isEqualTo("web-1");
        assertThat(samples.get(0).object().labels()).isEqualTo(Map.of("app", "web"));
        assertThat(samples.get(0).value()).isEqualTo(5.9);
        assertThat(samples.get(1).object()).isNull();
        assertThat(samples.get(1).labels()).isEqualTo(Map.of("queue", "orders"));
        assertThat(samples.get(1).value()).isEqualTo(120);
    }

    @Test
    void anEntryWithoutAValueIsRefusedNamingIt() {
        assertThatThrownBy(() -> DemandFileScalerProvider.samples("""
                [{"object": "web-1", "value": 1}, {"object": "web-2"}]
                """)).isInstanceOf(IllegalArgumentException.class).hasMessage("entry 2 has no numeric \"value\"");
        assertThatThrownBy(() -> DemandFileScalerProvider.samples("[{\"value\": \"12\"}]"))
                .hasMessage("entry 1 has no numeric \"value\"");
    }

    @Test
    void aFileThatIsNotAnArrayOfObjectsIsRefused() {
        assertThatThrownBy(() -> DemandFileScalerProvider.samples("{\"value\": 1}"))
                .hasMessageStartingWith("the file is not a JSON array of entries: ");
        assertThatThrownBy(() -> DemandFileScalerProvider.samples("[1]")).hasMessage("entry 1 is not a JSON object");
    }
}
