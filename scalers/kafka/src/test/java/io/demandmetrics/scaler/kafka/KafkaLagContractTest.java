package io.demandmetrics.scaler.kafka;

import io.demandmetrics.scaler.testkit.ScalerContractTest;
import java.util.List;
import java.util.Map;

class KafkaLagContractTest extends ScalerContractTest {

    @Override
    protected String type() {
        return "kafka-lag";
    }

    @Override
    protected List<String> missingParameterMessages() {
        return List.of("missing required parameter \"bootstrapServers\"", "missing required parameter \"consumerGroup\"");
    }

    @Override
    protected Map<String, Object> validParameters() {
        return Map.of("bootstrapServers", "kafka:9092", "consumerGroup", "orders", "topic", "orders");
    }
}
