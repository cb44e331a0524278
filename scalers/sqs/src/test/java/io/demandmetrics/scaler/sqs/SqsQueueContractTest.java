package io.demandmetrics.scaler.sqs;

import io.demandmetrics.scaler.testkit.ScalerContractTest;
import java.util.List;
import java.util.Map;

class SqsQueueContractTest extends ScalerContractTest {

    @Override
    protected String type() {
        return "aws-sqs-queue";
    }

    @Override
    protected List<String> missingParameterMessages() {
        return List.of("missing required parameter \"queueURL\"");
    }

    @Override
    protected Map<String, Object> validParameters() {
        return Map.of("queueURL", "https://sqs.eu-west-1.amazonaws.com/123456789012/orders");
    }
}
