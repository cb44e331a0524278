package io.demandmetrics.prometheus.client;

import io.demandmetrics.scaler.support.BoundedQuote;
import io.demandmetrics.scaler.support.ParameterReader;
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
 * Where and how queries go to one Prometheus-compatible server: KEDA's connection parameters,
 * secrets as file paths. Read by the {@code prometheus} scaler and by the {@code rps} and
 * {@code latency} scalers' {@code source: prometheus} block.
 *
 * @param server the query API's base ({@code http://prometheus:9090}, or a prefix such as
 *     VictoriaMetrics' {@code /select/0/prometheus}); {@code /api/v1/query} is appended
 * @param customHeaders sent with every query (a tenant's {@code X-Scope-OrgID}, ...)
 * @param queryParameters added to every query's URL
 * @param namespace sent as the {@code namespace} query parameter (Thanos' namespaced queries), or null
 * @param timeout for the whole query, or null for the poll's own bound
 * @param client what the HTTP client is built from (shared by equal settings)
 * @param auth how the adapter proves who it is with a bearer token or basic auth
 * @param awsRegion signs every query with SigV4 for this region (Amazon Managed Prometheus), or null
 * @param roleArn with {@code awsRegion}: the IAM role assumed through STS to sign; null: the
 *     default credentials chain's own identity
 */
public record PrometheusEndpoint(URI server, Map<String, String> customHeaders, Map<String, String> queryParameters,
                                 String namespace, Duration timeout, ClientSettings client, Auth auth,
                                 String awsRegion, String roleArn) {

    /** The parameters this reads, for a {@link ParameterReader}'s known names. */
    public static final List<String> KEYS = List.of("serverAddress", "unsafeSsl", "customHeaders",
            "queryParameters", "namespace", "timeout", "bearerTokenFile", "username", "passwordFile", "caFile",
            "certFile", "keyFile", "awsRegion", "roleArn");

    /** Query parameters the scaler sets itself. */
    static final List<String> RESERVED_QUERY_PARAMETERS = List.of("query", "time");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\\d");
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+");
    /** An HTTP header name: RFC 9110's token. */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    /**
     * What a query's HTTP client is built from: queries to one server with equal settings
     * share one client (one connection pool).
     */
    public record ClientSettings(String host, int port, boolean https, boolean unsafeSsl, String caFile,
                                 String certFile, String keyFile) {
    }

    /** Bearer token or basic auth, both from files (mounted Secrets); none when all are null. */
    public record Auth(String bearerTokenFile, String username, String passwordFile) {

        static final Auth NONE = new Auth(null, null, null);
    }

    /**
     * The parameters without KEDA's that have no place here (inline secrets, {@code authModes}),
     * each reported to {@code problems} with the way out. Call it before reading the rest with
     * a {@link ParameterReader}, so that these get advice rather than "unknown parameter".
     *
     * @param prefix what the parameters' names are prefixed with in messages ({@code prometheus.}), or ""
     */
    public static Map<String, Object> withoutRefused(Map<String, Object> parameters, String prefix,
                                                     List<String> problems) {
        Map<String, Object> accepted = new HashMap<>(parameters);
        for (String inline : List.of("bearerToken", "password", "key", "cert", "ca")) {
            if (accepted.remove(inline) != null) {
                problems.add("parameter \"" + prefix + inline + "\": secrets are not written in the config; give a"
                        + " file (a mounted Secret) with \"" + inline + "File\"" + (inline.equals("bearerToken")
                        ? "" : inline.equals("password") ? " and \"username\"" : ""));
            }
        }
        if (accepted.remove("authModes") != null) {
            problems.add("parameter \"" + prefix + "authModes\" is not needed here: bearer, basic or TLS client"
                    + " auth follows from the files given (bearerTokenFile; username and passwordFile; certFile and"
                    + " keyFile)");
        }
        return accepted;
    }

    /**
     * Reads the connection parameters ({@link #KEYS}); problems go to {@code p}.
     *
     * @param parameters the same map {@code p} reads, for the parameters that may be YAML maps
     * @return the endpoint, or null when {@code p} has problems (these or earlier ones)
     */
    public static PrometheusEndpoint read(ParameterReader p, Map<String, Object> parameters) {
        URI server = server(p);
        boolean unsafeSsl = p.bool("unsafeSsl", false);
        Map<String, String> headers = headers(p, parameters);
        Map<String, String> queryParameters = queryParameters(p, parameters);
        String namespace = p.string("namespace", null);
        String awsRegion = p.string("awsRegion", null);
        if (awsRegion != null && !REGION.matcher(awsRegion).matches()) {
            p.invalid("awsRegion", awsRegion, "is not an AWS region (e.g. eu-west-1)");
        }
        String roleArn = p.string("roleArn", null);
        if (roleArn != null && !ROLE_ARN.matcher(roleArn).matches()) {
            p.invalid("roleArn", roleArn, "is not an IAM role ARN (arn:aws:iam::123456789012:role/name)");
        } else if (roleArn != null && awsRegion == null) {
            p.problem("\"roleArn\" is the role that signs queries with SigV4: it needs \"awsRegion\"");
        }
        Duration timeout = p.has("timeout") ? p.duration("timeout", null, Duration.ofMillis(100)) : null;
        Auth auth = auth(p, awsRegion);
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
        if (!p.problems().isEmpty()) {
            return null;
        }
        int port = server.getPort() > 0 ? server.getPort() : https ? 443 : 80;
        return new PrometheusEndpoint(server, Map.copyOf(headers), Map.copyOf(queryParameters), namespace, timeout,
                new ClientSettings(server.getHost(), port, https, unsafeSsl, ca, cert, key), auth, awsRegion, roleArn);
    }

    /** {@code customHeaders}: header names and values a request may carry. */
    private static Map<String, String> headers(ParameterReader p, Map<String, Object> parameters) {
        Map<String, String> headers = pairs(p, parameters, "customHeaders");
        headers.forEach((name, value) -> {
            if (!HEADER_NAME.matcher(name).matches()) {
                p.invalid("customHeaders", BoundedQuote.quote(name) + " is not an HTTP header name");
            }
            if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                p.invalid("customHeaders", "the value of " + BoundedQuote.quote(name) + " has a control character");
            }
        });
        return headers;
    }

    /** {@code queryParameters}, none of those the scaler sets itself. */
    private static Map<String, String> queryParameters(ParameterReader p, Map<String, Object> parameters) {
        Map<String, String> queryParameters = pairs(p, parameters, "queryParameters");
        for (String reserved : RESERVED_QUERY_PARAMETERS) {
            if (queryParameters.containsKey(reserved)) {
                p.invalid("queryParameters", "sets \"" + reserved + "\", which the scaler sets itself");
            }
        }
        return queryParameters;
    }

    /** A bearer token or basic auth from files, one at most, and neither beside SigV4 ({@code awsRegion}). */
    private static Auth auth(ParameterReader p, String awsRegion) {
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
        return bearer == null && username == null ? Auth.NONE : new Auth(bearer, username, password);
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
                p.invalid(name, BoundedQuote.quote(pair.trim()) + " is not name=value (KEDA's form: a=1,b=2; or a YAML map)");
                continue;
            }
            pairs.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
        }
        return pairs;
    }
}
