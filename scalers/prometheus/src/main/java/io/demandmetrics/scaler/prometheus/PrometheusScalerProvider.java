package io.demandmetrics.scaler.prometheus;

import io.demandmetrics.scaler.spi.Echo;
import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.ParameterReader;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code prometheus} scaler: an instant PromQL query, with KEDA's trigger parameters and
 * results. Where it differs: a query that returns several series serves them as series with
 * their labels (KEDA refuses it), and secrets come from files only.
 */
public final class PrometheusScalerProvider implements ScalerProvider<PrometheusConfig> {

    static final String TYPE = "prometheus";
    /** Longest query accepted: a query is configuration, not data. */
    static final int MAX_QUERY_CHARS = 16 * 1024;

    private static final String[] KEYS = {"serverAddress", "query", "activationThreshold", "ignoreNullValues",
        "unsafeSsl", "customHeaders", "queryParameters", "namespace", "timeout", "bearerTokenFile", "username",
        "passwordFile", "caFile", "certFile", "keyFile", "objectLabel", "awsRegion"};
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\\d");
    /** An HTTP header name: RFC 9110's token. */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public PrometheusConfig parseConfig(Map<String, Object> parameters) throws InvalidConfigException {
        Map<String, Object> accepted = new HashMap<>(parameters);
        List<String> kedaOnly = new ArrayList<>();
        Object threshold = accepted.remove("threshold");
        if (threshold != null) {
            kedaOnly.add("parameter \"threshold\" is the HPA's target here, not a scaler parameter: put it in the HPA"
                    + " as target: {type: AverageValue, averageValue: " + Echo.quote(threshold) + "} (or Value)");
        }
        for (String inline : List.of("bearerToken", "password", "key", "cert", "ca")) {
            if (accepted.remove(inline) != null) {
                kedaOnly.add("parameter \"" + inline + "\": secrets are not written in the config; give a file (a"
                        + " mounted Secret) with \"" + inline + "File\"" + (inline.equals("bearerToken")
                        ? "" : inline.equals("password") ? " and \"username\"" : ""));
            }
        }
        if (accepted.remove("authModes") != null) {
            kedaOnly.add("parameter \"authModes\" is not needed here: bearer, basic or TLS client auth follows from"
                    + " the files given (bearerTokenFile; username and passwordFile; certFile and keyFile)");
        }
        ParameterReader p = new ParameterReader(accepted, KEYS);
        kedaOnly.forEach(p::problem);
        URI server = server(p);
        String query = p.string("query");
        if (query != null && query.isBlank()) {
            p.invalid("query", "must not be blank");
        } else if (query != null && query.length() > MAX_QUERY_CHARS) {
            p.invalid("query", "is longer than " + MAX_QUERY_CHARS + " characters");
        }
        double activation = p.number("activationThreshold", 0, Double.NEGATIVE_INFINITY);
        boolean ignoreNullValues = p.bool("ignoreNullValues", true);
        boolean unsafeSsl = p.bool("unsafeSsl", false);
        Map<String, String> headers = pairs(p, accepted, "customHeaders");
        headers.forEach((name, value) -> {
            if (!HEADER_NAME.matcher(name).matches()) {
                p.invalid("customHeaders", Echo.quote(name) + " is not an HTTP header name");
            }
            if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                p.invalid("customHeaders", "the value of " + Echo.quote(name) + " has a control character");
            }
        });
        Map<String, String> queryParameters = pairs(p, accepted, "queryParameters");
        for (String reserved : List.of("query", "time")) {
            if (queryParameters.containsKey(reserved)) {
                p.invalid("queryParameters", "sets \"" + reserved + "\", which the scaler sets itself");
            }
        }
        String namespace = p.string("namespace", null);
        String objectLabel = p.string("objectLabel", null);
        String awsRegion = p.string("awsRegion", null);
        if (awsRegion != null && !REGION.matcher(awsRegion).matches()) {
            p.invalid("awsRegion", awsRegion, "is not an AWS region (e.g. eu-west-1)");
        }
        Duration timeout = p.has("timeout") ? p.duration("timeout", null, Duration.ofMillis(100)) : null;
        String bearer = p.has("bearerTokenFile") ? p.readableFile("bearerTokenFile") : null;
        String username = p.string("username", null);
        String password = p.has("passwordFile") ? p.readableFile("passwordFile") : null;
        if ((username == null) != (password == null)) {
            p.problem("basic auth needs both \"username\" and \"passwordFile\"");
        }
        if (awsRegion != null && (bearer != null || username != null)) {
            p.problem("\"awsRegion\" signs queries with SigV4: it cannot be combined with \"bearerTokenFile\" or"
                    + " \"username\"");
        }
        if (bearer != null && username != null) {
            p.problem("give either \"bearerTokenFile\" or \"username\" and \"passwordFile\", not both");
        }
        String ca = p.has("caFile") ? p.readableFile("caFile") : null;
        String cert = p.has("certFile") ? p.readableFile("certFile") : null;
        String key = p.has("keyFile") ? p.readableFile("keyFile") : null;
        if ((cert == null) != (key == null)) {
            p.problem("a TLS client certificate needs both \"certFile\" and \"keyFile\"");
        }
        boolean https = server != null && "https".equals(server.getScheme());
        if (!https && (ca != null || cert != null || unsafeSsl)) {
            p.problem("\"caFile\", \"certFile\", \"keyFile\" and \"unsafeSsl\" need an https serverAddress");
        }
        p.throwIfInvalid();
        int port = server.getPort() > 0 ? server.getPort() : https ? 443 : 80;
        return new PrometheusConfig(server, query, activation, ignoreNullValues, Map.copyOf(headers),
                Map.copyOf(queryParameters), namespace, timeout,
                new PrometheusConfig.ClientSettings(server.getHost(), port, https, unsafeSsl, ca, cert, key),
                bearer == null && username == null ? PrometheusConfig.Auth.NONE
                        : new PrometheusConfig.Auth(bearer, username, password), awsRegion, objectLabel);
    }

    private static URI server(ParameterReader p) {
        String text = p.string("serverAddress");
        if (text == null) {
            return null;
        }
        try {
            URI server = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            if (!("http".equals(server.getScheme()) || "https".equals(server.getScheme())) || server.getHost() == null
                    || server.getRawQuery() != null || server.getRawFragment() != null || server.getUserInfo() != null) {
                throw new URISyntaxException(text, "not a plain http(s) URL");
            }
            return server;
        } catch (URISyntaxException e) {
            p.invalid("serverAddress", text, "is not an http(s) URL without query or credentials"
                    + " (e.g. http://prometheus.monitoring:9090)");
            return null;
        }
    }

    /** KEDA's {@code k1=v1,k2=v2}, or a YAML map. */
    private static Map<String, String> pairs(ParameterReader p, Map<String, Object> parameters, String name) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (!p.has(name)) {
            return pairs;
        }
        if (parameters.get(name) instanceof Map<?, ?>) {
            Map<String, Object> block = p.block(name);
            if (block != null) {
                block.forEach((key, value) -> pairs.put(key.trim(), String.valueOf(value).trim()));
            }
            return pairs;
        }
        String text = p.string(name);
        if (text == null) {
            return pairs;
        }
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                p.invalid(name, Echo.quote(pair.trim()) + " is not name=value (KEDA's form: a=1,b=2; or a YAML map)");
                continue;
            }
            pairs.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
        }
        return pairs;
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
