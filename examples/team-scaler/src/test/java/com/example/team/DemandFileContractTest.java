package com.example.team;

import io.demandmetrics.scaler.testkit.ScalerContractTest;
import java.util.List;
import java.util.Map;

class DemandFileContractTest extends ScalerContractTest {

    @Override
    protected String type() {
        return "demand-file";
    }

    @Override
    protected List<String> missingParameterMessages() {
        return List.of("missing required parameter \"path\"");
    }

    @Override
    protected Map<String, Object> validParameters() {
        return Map.of("path", "/var/run/demand/values.json");
    }
}
