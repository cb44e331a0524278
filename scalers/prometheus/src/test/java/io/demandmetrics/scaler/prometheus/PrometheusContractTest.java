package io.demandmetrics.scaler.prometheus;

import io.demandmetrics.scaler.testkit.ScalerContractTest;
import java.util.List;
import java.util.Map;

class PrometheusContractTest extends ScalerContractTest {

    @Override
    protected String type() {
        return "prometheus";
    }

    @Override
    protected List<String> missingParameterMessages() {
        return List.of("missing required parameter \"serverAddress\"", "missing required parameter \"query\"");
    }

    @Override
    protected Map<String, Object> validParameters() {
        return Map.of("serverAddress", "http://127.0.0.1:1", "query", "sum(rate(http_requests_total[2m]))");
    }
}
