package io.demandmetrics.scaler.cron;

import io.demandmetrics.scaler.testkit.ScalerContractTest;
import java.util.List;
import java.util.Map;

class CronScalerContractTest extends ScalerContractTest {

    @Override
    protected String type() {
        return "cron";
    }

    @Override
    protected List<String> missingParameterMessages() {
        return List.of(
                "missing required parameter \"timezone\"",
                "missing required parameter \"start\"",
                "missing required parameter \"end\"",
                "missing required parameter \"desiredReplicas\"");
    }

    @Override
    protected Map<String, Object> validParameters() {
        return Map.of("timezone", "Europe/Berlin", "start", "0 8 * * 1-5", "end", "0 18 * * 1-5",
                "desiredReplicas", 10);
    }
}
