package io.demandmetrics.scaler.requests;

import io.demandmetrics.scaler.testkit.ScalerContractTest;
import java.util.List;
import java.util.Map;

class RpsContractTest extends ScalerContractTest {

    @Override
    protected String type() {
        return "rps";
    }

    @Override
    protected List<String> missingParameterMessages() {
        return List.of("missing required parameter \"counter\"",
                "missing required parameter \"targets\" (a list of {pod, url}: the pods to scrape)"
                        + " or \"pods\" (a selector of the namespace's pods, in a cluster)");
    }

    @Override
    protected Map<String, Object> validParameters() {
        return Map.of("preset", "micrometer",
                "targets", List.of(Map.of("pod", "web-1", "url", "http://127.0.0.1:9/actuator/prometheus")));
    }
}
