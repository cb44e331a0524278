package com.example.team.csv;

import io.demandmetrics.scaler.testkit.ScalerContractTest;
import java.util.List;
import java.util.Map;

class CsvContractTest extends ScalerContractTest {

    @Override
    protected String type() {
        return "demand-csv";
    }

    @Override
    protected List<String> missingParameterMessages() {
        return List.of("missing required parameter \"path\"");
    }

    @Override
    protected Map<String, Object> validParameters() {
        return Map.of("path", "/var/run/demand/queues.csv");
    }
}
