package io.demandmetrics.adapter.crd;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The reach rule: a DemandMetric's scaler calls out only where its namespace could, never with
 * the adapter's own standing. What each built-in scaler calls:
 *
 * <ul>
 *   <li>a host is either a Service of the metric's namespace ({@code <svc>.<ns>.svc}, a pod
 *       behind one {@code <pod>.<svc>.<ns>.svc}, with or without {@code .cluster.local}, any
 *       port), or one the platform opened to teams
 *       ({@code --team-destinations}); anything else (another namespace's Service, an IP, the
 *       cloud's metadata address, a name outside the cluster) is refused. Checked for
 *       {@code prometheus}'s and {@code rps}/{@code latency}'s Prometheus {@code serverAddress},
 *       {@code rps}/{@code latency}'s static {@code targets}, {@code kafka-lag}'s
 *       {@code bootstrapServers} and {@code sasl.tokenEndpointUrl}, {@code aws-sqs-queue}'s
 *       {@code awsEndpoint}; pods are always the metric's namespace's;</li>
 *   <li>a Prometheus the platform opened is shared: the adapter sets its {@code namespace}
 *       parameter to the metric's namespace (the query parameter a label-enforcing proxy such as
 *       prom-label-proxy or Thanos' reads; the platform opens only such proxies), and refuses
 *       {@code customHeaders} and {@code queryParameters}, which could name another tenant;</li>
 *   <li>the adapter's cloud identity is not a team's: {@code aws-sqs-queue} needs the team's keys
 *       from a Secret ({@code accessKeyIdFromSecret}, {@code secretAccessKeyFromSecret}), and
 *       Prometheus' SigV4 ({@code awsRegion}, {@code roleArn}) is refused;</li>
 *   <li>a scaler type the rule does not know (a plugin's) is refused unless the platform opened
 *       it ({@code --team-plugin-types}), vouching for where it calls.</li>
 * </ul>
 */
final class TeamReach {

    private static final Set<String> BUILT_IN = Set.of("cron", "prometheus", "rps", "latency", "kafka-lag",
            "aws-sqs-queue");

    private final List<String> destinations;
    private final Set<String> pluginTypes;

    /**
     * @param destinations hosts teams may call beyond their namespace: {@code host},
     *     {@code host:port}, {@code *.domain} or {@code *.domain:port}
     * @param pluginTypes scaler types beyond the built-in ones that DemandMetrics may use
     */
    TeamReach(List<String> destinations, Set<String> pluginTypes) {
        this.destinations = destinations.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
        this.pluginTypes = Set.copyOf(pluginTypes);
    }

    /** Nothing beyond the namespace; no plugin type. */
    static final TeamReach CLOSED = new TeamReach(List.of(), Set.of());

    /**
     * Every way {@code parameters} would reach beyond {@code namespace}; sets the {@code namespace}
     * parameter of a shared Prometheus in {@code resolved} (the parameters the scaler will read).
     */
    List<String> check(Object type, String namespace, Map<?, ?> parameters, Map<String, Object> resolved) {
        List<String> problems = new ArrayList<>();
        if (!(type instanceof String name)) {
            return problems; // the parser says what is wrong with it
        }
        if (!BUILT_IN.contains(name)) {
            if (!pluginTypes.contains(name)) {
                problems.add("scaler type \"" + name + "\" is not open to DemandMetrics: the reach rule knows where"
                        + " the built-in scalers call, not a plugin's; the platform opens a plugin type with"
                        + " --team-plugin-types");
            }
            return problems;
        }
        switch (name) {
            case "prometheus" -> prometheus("spec.parameters", namespace, parameters, resolved, problems);
            case "rps", "latency" -> {
                if (parameters.get("prometheus") instanceof Map<?, ?> server
                        && resolved.get("prometheus") instanceof Map<?, ?> serverResolved) {
                    prometheus("spec.parameters.prometheus", namespace, server, cast(serverResolved), problems);
                }
                if (parameters.get("targets") instanceof List<?> targets) {
                    for (int i = 0; i < targets.size(); i++) {
                        if (targets.get(i) instanceof Map<?, ?> target && target.get("url") instanceof String url) {
                            url("spec.parameters.targets[" + i + "].url", url, namespace, problems);
                        }
                    }
                }
            }
            case "kafka-lag" -> {
                Object servers = parameters.get("bootstrapServers");
                List<?> list = servers instanceof List<?> l ? l
                        : servers instanceof String s ? List.of(s.split(",")) : List.of();
                for (Object server : list) {
                    String address = String.valueOf(server).trim();
                    if (!address.isEmpty()) {
                        host("spec.parameters.bootstrapServers", address, hostOf(address), portOf(address), namespace,
                                problems);
                    }
                }
                if (parameters.get("sasl") instanceof Map<?, ?> sasl && sasl.get("tokenEndpointUrl") instanceof String url) {
                    url("spec.parameters.sasl.tokenEndpointUrl", url, namespace, problems);
                }
            }
            case "aws-sqs-queue" -> {
                if (!parameters.containsKey("accessKeyIdFromSecret") || !parameters.containsKey("secretAccessKeyFromSecret")) {
                    problems.add("spec.parameters: aws-sqs-queue needs the team's own AWS keys, accessKeyIdFromSecret"
                            + " and secretAccessKeyFromSecret (a Secret of this namespace); the adapter's AWS identity"
                            + " is not a team's to use");
                }
                if (parameters.get("awsEndpoint") instanceof String endpoint) {
                    url("spec.parameters.awsEndpoint", endpoint, namespace, problems);
                }
            }
            default -> { }
        }
        return problems;
    }

    private void prometheus(String where, String namespace, Map<?, ?> server, Map<String, Object> resolved,
                            List<String> problems) {
        for (String identity : List.of("awsRegion", "roleArn")) {
            if (server.containsKey(identity)) {
                problems.add(where + "." + identity + ": SigV4 signs with the adapter's AWS identity, which is not a"
                        + " team's to use");
            }
        }
        if (!(server.get("serverAddress") instanceof String address)) {
            return;
        }
        URI uri = uri(address);
        if (uri == null) {
            return; // the scaler's parser says what is wrong with it
        }
        if (inNamespace(uri.getHost(), namespace)) {
            return; // the team's own Prometheus: whatever it holds is the team's
        }
        if (!url(where + ".serverAddress", address, namespace, problems)) {
            return;
        }
        // A shared Prometheus: its label-enforcing proxy answers for this namespace only.
        for (String tenancy : List.of("customHeaders", "queryParameters")) {
            if (server.containsKey(tenancy)) {
                problems.add(where + "." + tenancy + " is refused for a Prometheus outside namespace " + namespace
                        + ": it could name another tenant");
            }
        }
        Object given = server.get("namespace");
        if (given != null && !namespace.equals(given)) {
            problems.add(where + ".namespace is " + given + "; a DemandMetric of namespace " + namespace
                    + " queries a shared Prometheus as " + namespace + " only");
        }
        resolved.put("namespace", namespace);
    }

    /** Whether {@code url}'s host may be called; adds the problem when not. */
    private boolean url(String where, String url, String namespace, List<String> problems) {
        URI uri = uri(url);
        if (uri == null || uri.getHost() == null) {
            return false; // the scaler's parser says what is wrong with it
        }
        return host(where, url, uri.getHost(), uri.getPort(), namespace, problems);
    }

    private boolean host(String where, String shown, String host, int port, String namespace, List<String> problems) {
        if (host == null || inNamespace(host, namespace) || opened(host, port)) {
            return true;
        }
        problems.add(where + ": " + shown + " is outside namespace " + namespace + " (a Service there is <name>."
                + namespace + ".svc) and not among the destinations the platform opened to teams"
                + (destinations.isEmpty() ? " (none)" : " (" + String.join(", ", destinations) + ")"));
        return false;
    }

    /**
     * A Service of {@code namespace} ({@code <svc>.<namespace>.svc}) or a pod behind a headless one
     * ({@code <pod>.<svc>.<namespace>.svc}), either followed by {@code .cluster.local} or not:
     * names nothing a DNS search could send outside the cluster.
     */
    static boolean inNamespace(String host, String namespace) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.endsWith(".svc.cluster.local")) {
            h = h.substring(0, h.length() - ".cluster.local".length());
        }
        String[] labels = h.split("\\.", -1);
        int n = labels.length;
        return (n == 3 || n == 4) && labels[n - 1].equals("svc") && labels[n - 2].equals(namespace)
                && java.util.Arrays.stream(labels, 0, n - 2).noneMatch(String::isEmpty);
    }

    private boolean opened(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        for (String destination : destinations) {
            String pattern = destination;
            int colon = pattern.lastIndexOf(':');
            if (colon > 0 && pattern.indexOf(']') < colon) {
                String portPart = pattern.substring(colon + 1);
                pattern = pattern.substring(0, colon);
                if (!portPart.equals(String.valueOf(port))) {
                    continue;
                }
            }
            if (pattern.startsWith("*.") ? h.endsWith(pattern.substring(1)) && h.length() > pattern.length() - 1
                    : h.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    private static URI uri(String url) {
        try {
            return URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String hostOf(String address) {
        int colon = address.lastIndexOf(':');
        return colon > 0 ? address.substring(0, colon) : address;
    }

    private static int portOf(String address) {
        int colon = address.lastIndexOf(':');
        try {
            return colon > 0 ? Integer.parseInt(address.substring(colon + 1)) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }
}
