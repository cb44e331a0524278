package io.demandmetrics.scaler.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.scaler.spi.Sample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** KEDA's getTotalLag and activation, as a table: lags per partition in, served value out. */
class LagTotalsTest {

    private final KafkaLagScalerProvider provider = new KafkaLagScalerProvider();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        # case                                  | lags (p = persistent) | threshold | activation | idle  | withLag | served
        below the cap                            | 5 0 5                 | 10        | 0          | false | false   | 10
        capped at partitions x threshold         | 50 50 50              | 10        | 0          | false | false   | 30
        integer division: 39/10=3 is not > 3     | 13 13 13              | 10        | 0          | false | false   | 39
        40/10=4 > 3: capped                      | 14 13 13              | 10        | 0          | false | false   | 30
        allowIdleConsumers: no cap               | 50 50 50              | 10        | 0          | true  | false   | 150
        limitToPartitionsWithLag                 | 50 0 0                | 10        | 0          | false | true    | 10
        limitToPartitionsWithLag, two lagging    | 50 50 0               | 10        | 0          | false | true    | 20
        activation: at the threshold is 0        | 5 5 0                 | 10        | 10         | false | false   | 0
        activation: above it is the lag          | 5 6 0                 | 10        | 10         | false | false   | 11
        no lag, activation 0                     | 0 0 0                 | 10        | 0          | false | false   | 0
        persistent partition left out            | 7p 5 0                | 10        | 0          | false | false   | 5
        all persistent: active, one replica      | 7p 5p 0               | 10        | 0          | false | false   | 0.001
        all persistent, below activation         | 7p 5p 0               | 10        | 20         | false | false   | 0
        persistent not counted as with lag       | 70p 50 0              | 10        | 0          | false | true    | 10
        """)
    void servedValue(String name, String lags, long threshold, long activation, boolean idle, boolean withLag,
                     double served) throws Exception {
        Map<String, Object> p = new HashMap<>(Map.of("bootstrapServers", "k:9092", "consumerGroup", "g", "topic", "t",
                "lagThreshold", threshold, "activationLagThreshold", activation, "allowIdleConsumers", idle,
                "limitToPartitionsWithLag", withLag));
        KafkaLagConfig config = provider.parseConfig(p);
        List<Sample> samples = new ArrayList<>();
        String[] each = lags.trim().split(" +");
        for (int i = 0; i < each.length; i++) {
            boolean persistent = each[i].endsWith("p");
            Map<String, String> labels = new HashMap<>(Map.of("topic", "t", "partition", Integer.toString(i)));
            if (persistent) {
                labels.put(LagTotals.PERSISTENT, "true");
            }
            samples.add(Sample.of(labels, Long.parseLong(each[i].replace("p", ""))));
        }
        List<Sample> combined = provider.combine(config, samples, false);
        assertThat(combined).hasSize(1);
        assertThat(combined.get(0).value()).isEqualTo(served);
        assertThat(combined.get(0).labels()).containsExactly(Map.entry("topic", "t"));
    }

    @ParameterizedTest(name = "selector matching nothing: {0}")
    @CsvSource({"true, 0", "false, 1"})
    void emptySelection(boolean narrowed, int items) throws Exception {
        KafkaLagConfig config = provider.parseConfig(Map.of("bootstrapServers", "k:9092", "consumerGroup", "g"));
        assertThat(provider.combine(config, List.of(), narrowed)).hasSize(items);
    }
}
