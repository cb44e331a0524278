package com.example.team.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandmetrics.scaler.spi.Sample;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A row per series; what a team's job may get wrong is refused with a message that says where. */
class CsvSamplesTest {

    @Test
    void eachRowIsASeriesLabelledByItsOtherColumns() throws Exception {
        List<Sample> samples = CsvScalerProvider.samples(new StringReader("""
                queue, region, value
                orders, eu, 120
                refunds, us, 4.5
                """), "value");
        assertThat(samples).extracting(Sample::labels, Sample::value).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Map.of("queue", "orders", "region", "eu"), 120.0),
                org.assertj.core.groups.Tuple.tuple(Map.of("queue", "refunds", "region", "us"), 4.5));
    }

    @Test
    void aRowWithoutANumberAndAFileWithoutTheColumnAreRefused() {
        assertThatThrownBy(() -> CsvScalerProvider.samples(new StringReader("queue,value\norders,12\nrefunds,\n"),
                "value")).hasMessage("row 2: \"value\" is not a number");
        assertThatThrownBy(() -> CsvScalerProvider.samples(new StringReader("queue,depth\norders,12\n"), "value"))
                .hasMessage("the CSV header [queue, depth] has no \"value\" column");
    }
}
