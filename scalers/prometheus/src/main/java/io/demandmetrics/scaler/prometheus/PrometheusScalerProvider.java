package io.demandmetrics.scaler.prometheus;

import io.demandmetrics.prometheus.client.PrometheusEndpoint;
import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.support.BoundedQuote;
import io.demandmetrics.scaler.support.ParameterReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code prometheus} scaler: an instant PromQL query, with KEDA's trigger parameters and
 * results. Where it differs: a query that returns several series serves them as series with
 * their labels (KEDA refuses it), and secrets come from files only.
 */
public final class PrometheusScalerProvider implements ScalerProvider<PrometheusConfig> {

    static final String TYPE = "prometheus";
    /** Longest query accepted: a query is configuration, not data. */
    static final int MAX_QUERY_CHARS = 16 * 1024;

    /** The metric's own parameters, beside the endpoint's ({@link PrometheusEndpoint#KEYS}). */
    private static final List<String> OWN_KEYS = List.of("query", "activationThreshold", "ignoreNullValues",
            "objectLabel");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public PrometheusConfig parseConfig(Map<String, Object> parameters) throws InvalidConfigException {
        List<String> kedaOnly = new ArrayList<>();
        Map<String, Object> accepted = PrometheusEndpoint.withoutRefused(parameters, "", kedaOnly);
        Object threshold = accepted.remove("threshold");
        if (threshold != null) {
            kedaOnly.add(0, "parameter \"threshold\" is the HPA's target here, not a scaler parameter: put it in the"
                    + " HPA as target: {type: AverageValue, averageValue: " + BoundedQuote.quote(threshold) + "} (or Value)");
        }
        List<String> known = new ArrayList<>(PrometheusEndpoint.KEYS);
        known.addAll(OWN_KEYS);
        ParameterReader p = new ParameterReader(accepted, known.toArray(String[]::new));
        kedaOnly.forEach(p::problem);
        PrometheusEndpoint endpoint = PrometheusEndpoint.read(p, accepted);
        String query = p.string("query");
        if (query != null && query.isBlank()) {
            p.invalid("query", "must not be blank");
        } else if (query != null && query.length() > MAX_QUERY_CHARS) {
            p.invalid("query", "is longer than " + MAX_QUERY_CHARS + " characters");
        }
        double activation = p.number("activationThreshold", 0, Double.NEGATIVE_INFINITY);
        boolean ignoreNullValues = p.bool("ignoreNullValues", true);
        String objectLabel = p.string("objectLabel", null);
        p.throwIfInvalid();
        return new PrometheusConfig(endpoint, query, activation, ignoreNullValues, objectLabel);
    }

    /** The server (its address holds no credentials: parsing refuses them). */
    @Override
    public String source(PrometheusConfig config, String namespace) {
        return "Prometheus " + config.endpoint().server();
    }

    @Override
    public Scaler createScaler(PrometheusConfig config, ScalerContext context) {
        return new PrometheusScaler(config, context);
    }

    /**
     * KEDA's activation over what the request picked: at or below {@code activationThreshold}
     * in total, every picked series is served as 0.
     */
    @Override
    public List<Sample> combine(PrometheusConfig config, List<Sample> matched, boolean narrowed) {
        double total = matched.stream().mapToDouble(Sample::value).sum();
        if (matched.isEmpty() || total > config.activationThreshold()) {
            return matched;
        }
        List<Sample> idle = new ArrayList<>(matched.size());
        for (Sample sample : matched) {
            idle.add(new Sample(sample.object(), sample.labels(), 0, sample.timestamp(), sample.window()));
        }
        return idle;
    }
}
