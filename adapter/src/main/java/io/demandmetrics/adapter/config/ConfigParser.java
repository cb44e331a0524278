package io.demandmetrics.adapter.config;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.registry.ScalerRegistry;
import io.demandmetrics.scaler.spi.Durations;
import io.demandmetrics.scaler.spi.Echo;
import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.ScalerProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the adapter's YAML config into validated {@link MetricDefinition}s, reporting every
 * problem in the file at once. Each scaler's parameters are parsed here, once.
 *
 * <pre>
 * metrics:
 *   - name: business-hours        # the metric name the HPA asks for
 *     namespace: shop             # where the HPA lives (not for nodes/namespaces)
 *     describes: external         # or pods, deployments.apps, ... (custom metrics)
 *     type: cron                  # the scaler
 *     parameters: {...}           # the scaler's parameters
 *     pollInterval: 15s           # default 15s
 *     timeout: 5s                 # default: the smaller of 10s and pollInterval
 *     maxAge: 45s                 # default 3 x pollInterval; older values are not served
 *     fallback: 2                 # optional: served instead of a 503 while there is no fresh value
 * </pre>
 */
public final class ConfigParser {

    static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(15);
    static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(100);
    static final Duration MAX_POLL_INTERVAL = Duration.ofHours(24);
    /** The timer behind a poll's timeout counts whole milliseconds. */
    static final Duration MIN_TIMEOUT = Duration.ofMillis(1);
    static final Duration MAX_MAX_AGE = Duration.ofDays(7);
    /** Problems listed at most; the rest are counted. A config is fixed a few problems at a time. */
    static final int MAX_PROBLEMS = 100;
    /** Characters of one problem at most, whatever a scaler put in it. */
    static final int MAX_PROBLEM_LENGTH = 1_000;
    static final Duration MAX_DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final List<String> TOP_LEVEL_FIELDS = List.of("metrics");
    private static final List<String> METRIC_FIELDS = List.of("name", "namespace", "describes", "object", "type",
            "parameters", "pollInterval", "timeout", "maxAge", "fallback");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    /** One path segment the HPA can ask for: no '/', no '%', not '*'. */
    private static final Pattern METRIC_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.:-]*[A-Za-z0-9])?");

    private final ScalerRegistry registry;

    public ConfigParser(ScalerRegistry registry) {
        this.registry = registry;
    }

    /** Parses a whole file's text. */
    public AdapterConfig parse(String yamlText) throws ConfigException {
        Object document;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(50);
            document = new Yaml(new SafeConstructor(options)).load(yamlText);
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark();
            throw new ConfigException(List.of("YAML syntax error at line " + (mark.getLine() + 1) + ", column "
                    + (mark.getColumn() + 1) + ": " + e.getProblem()));
        } catch (YAMLException e) {
            throw new ConfigException(List.of("YAML syntax error: " + e.getMessage()));
        }
        if (document == null) {
            throw new ConfigException(List.of("the config is empty; it needs a \"metrics\" list"));
        }
        if (!(document instanceof Map<?, ?> top)) {
            throw new ConfigException(List.of("the config must be a map with a \"metrics\" list"));
        }
        List<String> problems = new ArrayList<>();
        unknownFields(top, TOP_LEVEL_FIELDS, "", "top-level field", problems);
        Object metrics = top.get("metrics");
        List<MetricDefinition> definitions = new ArrayList<>();
        if (metrics == null) {
            problems.add("missing required top-level field \"metrics\"");
        } else if (!(metrics instanceof List<?> list)) {
            problems.add("top-level field \"metrics\" must be a list");
        } else {
            Map<MetricKey, Integer> seen = new HashMap<>();
            for (int i = 0; i < list.size(); i++) {
                MetricDefinition definition = metric(i, list.get(i), problems);
                if (definition == null) {
                    continue;
                }
                Integer first = seen.putIfAbsent(definition.key(), i);
                if (first != null) {
                    problems.add(definition.describe() + ": describes " + definition.key().describes()
                            + " like metrics[" + first + "]; each metric may be defined once");
                } else {
                    definitions.add(definition);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(bounded(problems));
        }
        return new AdapterConfig(definitions);
    }

    private static List<String> bounded(List<String> problems) {
        List<String> shown = new ArrayList<>();
        for (String problem : problems.subList(0, Math.min(problems.size(), MAX_PROBLEMS))) {
            shown.add(problem.length() <= MAX_PROBLEM_LENGTH ? problem
                    : problem.substring(0, MAX_PROBLEM_LENGTH) + "… (" + problem.length() + " characters)");
        }
        if (problems.size() > MAX_PROBLEMS) {
            shown.add("... and " + (problems.size() - MAX_PROBLEMS) + " more problems");
        }
        return shown;
    }

    private MetricDefinition metric(int index, Object entry, List<String> problems) {
        String where = "metrics[" + index + "]";
        if (!(entry instanceof Map<?, ?> fields)) {
            problems.add(where + ": must be a map with name, namespace, type and parameters");
            return null;
        }
        List<String> own = new ArrayList<>();
        String name = text(fields, "name", own);
        String namespace = text(fields, "namespace", own);
        String describesText = fields.containsKey("describes") ? text(fields, "describes", own) : "external";
        String type = text(fields, "type", own);
        String object = text(fields, "object", own);
        String prefix = name == null ? where
                : "metric " + Echo.quote(namespace == null ? name : namespace + "/" + name)
                + (type == null ? "" : " (type " + Echo.quote(type) + ")");

        unknownFields(fields, METRIC_FIELDS, "", "field", own);
        if (name == null) {
            own.add("missing required field \"name\"");
        } else if (name.length() > 253 || !METRIC_NAME.matcher(name).matches()) {
            own.add("field \"name\" value " + Echo.quote(name) + " must be letters, digits, '_', '.', ':' or '-',"
                    + " starting and ending with a letter or digit, at most 253 characters");
        }
        KubernetesResource resource = null;
        if (describesText != null && !describesText.equals("external")) {
            resource = KubernetesResource.byName(describesText).orElse(null);
            if (resource == null) {
                own.add("field \"describes\" value " + Echo.quote(describesText) + " must be \"external\" or one of "
                        + KubernetesResource.knownNames());
            }
        }
        boolean namespaced = resource == null || resource.namespaced();
        if (namespaced && namespace == null) {
            own.add("missing required field \"namespace\"");
        } else if (!namespaced && namespace != null) {
            own.add("field \"namespace\" must be absent: " + resource.resource() + " are cluster-scoped");
        } else if (namespace != null && (namespace.length() > 63 || !DNS_LABEL.matcher(namespace).matches())) {
            own.add("field \"namespace\" value " + Echo.quote(namespace) + " is not a valid namespace name");
        }
        if (object != null && resource == null) {
            own.add("field \"object\" is only for custom metrics (describes: pods, deployments.apps, ...)");
        }

        Duration pollInterval = duration(fields, "pollInterval", DEFAULT_POLL_INTERVAL, own);
        if (pollInterval.compareTo(MIN_POLL_INTERVAL) < 0 || pollInterval.compareTo(MAX_POLL_INTERVAL) > 0) {
            own.add("field \"pollInterval\" value " + Echo.quote(fields.get("pollInterval")) + " must be from "
                    + Durations.format(MIN_POLL_INTERVAL) + " to " + Durations.format(MAX_POLL_INTERVAL));
            pollInterval = DEFAULT_POLL_INTERVAL;
        }
        Duration defaultTimeout = pollInterval.compareTo(MAX_DEFAULT_TIMEOUT) < 0 ? pollInterval : MAX_DEFAULT_TIMEOUT;
        Duration timeout = duration(fields, "timeout", defaultTimeout, own);
        if (timeout.compareTo(MIN_TIMEOUT) < 0 || timeout.compareTo(pollInterval) > 0) {
            own.add("field \"timeout\" value " + Echo.quote(fields.get("timeout")) + " must be from "
                    + Durations.format(MIN_TIMEOUT) + " to pollInterval (" + Durations.format(pollInterval) + ")");
        }
        Duration maxAge = duration(fields, "maxAge", pollInterval.multipliedBy(3), own);
        if (maxAge.compareTo(pollInterval) < 0 || maxAge.compareTo(MAX_MAX_AGE) > 0) {
            own.add("field \"maxAge\" value " + Echo.quote(fields.get("maxAge")) + " must be from pollInterval ("
                    + Durations.format(pollInterval) + ") to " + Durations.format(MAX_MAX_AGE));
        }
        Double fallback = fallback(fields, own);

        ScalerProvider<Object> provider = null;
        Object scalerConfig = null;
        Map<String, Object> parameters = parameters(fields, own);
        if (type == null) {
            own.add("missing required field \"type\"");
        } else {
            provider = registry.provider(type).orElse(null);
            if (provider == null) {
                own.add("unknown scaler type " + Echo.quote(type) + "; known: " + registry.types());
            } else if (parameters != null) {
                try {
                    scalerConfig = provider.parseConfig(parameters);
                } catch (InvalidConfigException e) {
                    own.addAll(e.problems());
                } catch (RuntimeException e) {
                    own.add("the " + type + " scaler failed to parse its parameters (a bug in the scaler): " + e);
                }
            }
        }
        if (!own.isEmpty()) {
            own.forEach(problem -> problems.add(prefix + ": " + problem));
            return null;
        }
        return new MetricDefinition(new MetricKey(resource, namespace, name), type, parameters, provider,
                scalerConfig, object, pollInterval, timeout, maxAge, fallback);
    }

    private static String text(Map<?, ?> fields, String field, List<String> problems) {
        Object value = fields.get(field);
        if (value == null) {
            return null;
        }
        if (value instanceof Map || value instanceof List) {
            problems.add("field \"" + field + "\" must be a string");
            return null;
        }
        return value.toString();
    }

    private static Duration duration(Map<?, ?> fields, String field, Duration defaultValue, List<String> problems) {
        Object value = fields.get(field);
        if (value == null) {
            return defaultValue;
        }
        try {
            if (!(value instanceof Map || value instanceof List)) {
                return Durations.parse(value.toString());
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        problems.add("field \"" + field + "\" value " + Echo.quote(value) + " is not a duration (e.g. 30s, 10m, 1h30m)");
        return defaultValue;
    }

    private static Double fallback(Map<?, ?> fields, List<String> problems) {
        Object value = fields.get("fallback");
        if (value == null) {
            return null;
        }
        try {
            double parsed = value instanceof Number n ? n.doubleValue()
                    : value instanceof Map || value instanceof List ? Double.NaN : Double.parseDouble(value.toString());
            if (Double.isFinite(parsed) && parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add("field \"fallback\" value " + Echo.quote(value) + " must be a number >= 0");
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parameters(Map<?, ?> fields, List<String> problems) {
        Object value = fields.get("parameters");
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map) || !map.keySet().stream().allMatch(k -> k instanceof String)) {
            problems.add("field \"parameters\" must be a map of names to values");
            return null;
        }
        return (Map<String, Object>) map;
    }

    private static void unknownFields(Map<?, ?> fields, List<String> known, String prefix, String noun,
                                      List<String> problems) {
        Set<String> unknown = new TreeSet<>();
        for (Object key : fields.keySet()) {
            if (!(key instanceof String name) || !known.contains(name)) {
                unknown.add(Echo.quote(key instanceof String name ? prefix + name : key));
            }
        }
        for (String key : unknown) {
            problems.add("unknown " + noun + " " + key + "; known: " + known);
        }
    }
}
