package io.demandmetrics.adapter.config;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.failure.ProblemList;
import io.demandmetrics.adapter.registry.ScalerRegistry;
import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.support.BoundedQuote;
import io.demandmetrics.scaler.support.Durations;
import io.demandmetrics.scaler.support.ParameterReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.ScalarNode;

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
 *     lead: 60s                   # optional: serve the demand forecast this far ahead (never below observed)
 * </pre>
 */
public final class ConfigParser {

    static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(15);
    static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(100);
    static final Duration MAX_POLL_INTERVAL = Duration.ofHours(24);
    /** The timer behind a poll's timeout counts whole milliseconds. */
    static final Duration MIN_TIMEOUT = Duration.ofMillis(1);
    static final Duration MAX_MAX_AGE = Duration.ofDays(7);
    static final Duration MAX_DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final List<String> TOP_LEVEL_FIELDS = List.of("metrics", "forward");
    private static final List<String> METRIC_FIELDS = List.of("name", "namespace", "describes", "object", "type",
            "parameters", "pollInterval", "timeout", "maxAge", "fallback", "lead");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** One path segment the HPA can ask for: no '/', no '%', not '*'. */
    private static final Pattern METRIC_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.:-]*[A-Za-z0-9])?");

    /** Whether {@code name} is a DNS label (RFC 1123), as namespaces and Services are named. */
    static boolean isDnsLabel(String name) {
        return DNS_LABEL.matcher(name).matches();
    }

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
            document = new Yaml(new SharedScalars(options)).load(yamlText);
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
        ParameterReader topLevel = ParameterReader.forFields("top-level field", top, TOP_LEVEL_FIELDS);
        List<String> problems = new ArrayList<>(topLevel.problems());
        List<MetricDefinition> definitions = new ArrayList<>();
        if (top.get("metrics") == null) {
            problems.add("missing required top-level field \"metrics\"");
        } else if (!(top.get("metrics") instanceof List<?> list)) {
            problems.add("top-level field \"metrics\" must be a list");
        } else {
            definitions = metrics(list, problems);
        }
        List<ForwardBackend> forward = ForwardConfig.parse(top.get("forward"), problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(ProblemList.bounded(problems));
        }
        return new AdapterConfig(definitions, forward);
    }

    /**
     * SnakeYAML's safe constructor with each distinct scalar text of a document kept once: a file
     * of ten thousand metrics repeats its parameter names and most of their values (a server's
     * address, a type, a namespace), and the parsed parameters stay as long as the metric does.
     */
    private static final class SharedScalars extends SafeConstructor {
        private final Map<String, String> texts = new HashMap<>();

        SharedScalars(LoaderOptions options) {
            super(options);
        }

        @Override
        protected String constructScalar(ScalarNode node) {
            String text = super.constructScalar(node);
            String kept = texts.putIfAbsent(text, text);
            return kept != null ? kept : text;
        }
    }

    /** One metric entry read outside the file: its definition, or every problem found. */
    public record Entry(MetricDefinition definition, List<String> problems) {

        public Entry {
            problems = List.copyOf(problems);
        }
    }

    /**
     * Reads one metric entry given as fields (a DemandMetric's spec, say), with the checks and
     * the scaler's own parsing that a file's entry gets; problems are not prefixed with a place.
     */
    public Entry parseEntry(Map<String, Object> fields) {
        ParameterReader reader = ParameterReader.forFields("field", fields, METRIC_FIELDS);
        MetricDefinition definition = read(reader);
        return new Entry(definition, ProblemList.bounded(reader.problems()));
    }

    /** Every valid entry of the list, each metric at most once; problems go to {@code problems}. */
    private List<MetricDefinition> metrics(List<?> list, List<String> problems) {
        List<MetricDefinition> definitions = new ArrayList<>();
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
        return definitions;
    }


    /** One entry of the {@code metrics} list, or null with its problems added to {@code problems}. */
    private MetricDefinition metric(int index, Object entry, List<String> problems) {
        if (!(entry instanceof Map<?, ?> fields)) {
            problems.add("metrics[" + index + "]: must be a map with name, namespace, type and parameters");
            return null;
        }
        ParameterReader reader = ParameterReader.forFields("field", fields, METRIC_FIELDS);
        MetricDefinition definition = read(reader);
        String prefix = where(index, fields);
        reader.problems().forEach(problem -> problems.add(prefix + ": " + problem));
        return definition;
    }

    /**
     * How problems name a metric: by namespace/name and type when those are usable, else by
     * its index in the list.
     */
    private static String where(int index, Map<?, ?> fields) {
        String name = scalar(fields.get("name"));
        if (name == null) {
            return "metrics[" + index + "]";
        }
        String namespace = scalar(fields.get("namespace"));
        String type = scalar(fields.get("type"));
        return "metric " + BoundedQuote.quote(namespace == null ? name : namespace + "/" + name)
                + (type == null ? "" : " (type " + BoundedQuote.quote(type) + ")");
    }

    private static String scalar(Object value) {
        return value == null || value instanceof Map || value instanceof List ? null : value.toString();
    }

    /** Reads every field, recording problems in {@code reader}; null when there are any. */
    private MetricDefinition read(ParameterReader reader) {
        String name = reader.string("name");
        if (name != null && (name.length() > 253 || !METRIC_NAME.matcher(name).matches())) {
            reader.invalid("name", "must be letters, digits, '_', '.', ':' or '-',"
                    + " starting and ending with a letter or digit, at most 253 characters");
        }
        KubernetesResource resource = describes(reader);
        String namespace = namespace(reader, resource);
        String object = reader.string("object", null);
        if (object != null && resource == null) {
            reader.problem("field \"object\" is only for custom metrics (describes: pods, deployments.apps, ...)");
        }
        Timing timing = timing(reader);
        Double fallback = fallback(reader);
        Duration lead = lead(reader, timing.pollInterval());
        String type = reader.string("type");
        Map<String, Object> parameters = parameters(reader);
        ScalerProvider<Object> provider = type == null ? null : registry.provider(type).orElse(null);
        if (type != null && provider == null) {
            reader.problem("unknown scaler type " + BoundedQuote.quote(type) + "; known: " + registry.types());
        }
        Object scalerConfig = provider == null || parameters == null ? null : scalerConfig(type, provider, parameters, reader);
        if (!reader.problems().isEmpty()) {
            return null;
        }
        return new MetricDefinition(new MetricKey(resource, namespace, name), type, parameters, provider,
                scalerConfig, object, timing.pollInterval(), timing.timeout(), timing.maxAge(), fallback, lead);
    }

    /** The described resource; null for external metrics (the default) and for an unknown resource. */
    private static KubernetesResource describes(ParameterReader reader) {
        String describes = reader.string("describes", "external");
        if (describes == null || describes.equals("external")) {
            return null;
        }
        KubernetesResource resource = KubernetesResource.byName(describes).orElse(null);
        if (resource == null) {
            reader.invalid("describes", "must be \"external\" or one of " + KubernetesResource.knownNames());
        }
        return resource;
    }

    /** Required for external metrics and namespaced resources, absent for cluster-scoped ones. */
    private static String namespace(ParameterReader reader, KubernetesResource resource) {
        boolean namespaced = resource == null || resource.namespaced();
        if (!namespaced) {
            if (reader.has("namespace")) {
                reader.problem("field \"namespace\" must be absent: " + resource.resource() + " are cluster-scoped");
            }
            return null;
        }
        String namespace = reader.string("namespace");
        if (namespace != null && !isDnsLabel(namespace)) {
            reader.invalid("namespace", "is not a valid namespace name");
        }
        return namespace;
    }

    private record Timing(Duration pollInterval, Duration timeout, Duration maxAge) {
    }

    /** pollInterval, then timeout and maxAge, whose defaults and bounds follow from it. */
    private static Timing timing(ParameterReader reader) {
        Duration pollInterval = reader.duration("pollInterval", DEFAULT_POLL_INTERVAL, Duration.ZERO);
        if (pollInterval.compareTo(MIN_POLL_INTERVAL) < 0 || pollInterval.compareTo(MAX_POLL_INTERVAL) > 0) {
            reader.invalid("pollInterval", "must be from " + Durations.format(MIN_POLL_INTERVAL) + " to "
                    + Durations.format(MAX_POLL_INTERVAL));
            pollInterval = DEFAULT_POLL_INTERVAL;
        }
        String upToPoll = "pollInterval (" + Durations.format(pollInterval) + ")";
        Duration defaultTimeout = pollInterval.compareTo(MAX_DEFAULT_TIMEOUT) < 0 ? pollInterval : MAX_DEFAULT_TIMEOUT;
        Duration timeout = reader.duration("timeout", defaultTimeout, Duration.ZERO);
        if (timeout.compareTo(MIN_TIMEOUT) < 0 || timeout.compareTo(pollInterval) > 0) {
            reader.invalid("timeout", "must be from " + Durations.format(MIN_TIMEOUT) + " to " + upToPoll);
        }
        Duration maxAge = reader.duration("maxAge", pollInterval.multipliedBy(3), Duration.ZERO);
        if (maxAge.compareTo(pollInterval) < 0 || maxAge.compareTo(MAX_MAX_AGE) > 0) {
            reader.invalid("maxAge", "must be from " + upToPoll + " to " + Durations.format(MAX_MAX_AGE));
        }
        return new Timing(pollInterval, timeout, maxAge);
    }

    /** The optional value served while there is no fresh one. */
    /** The longest lead: beyond an hour a trend says little, and a cron schedule says it better. */
    static final Duration MAX_LEAD = Duration.ofHours(1);

    /** {@code lead}: from one poll interval (the forecast's step) to an hour; null when absent. */
    private static Duration lead(ParameterReader reader, Duration pollInterval) {
        if (!reader.has("lead")) {
            return null;
        }
        Duration lead = reader.duration("lead", null, Duration.ZERO);
        if (lead != null && (lead.compareTo(pollInterval) < 0 || lead.compareTo(MAX_LEAD) > 0)) {
            reader.invalid("lead", "must be from pollInterval (" + Durations.format(pollInterval) + ") to "
                    + Durations.format(MAX_LEAD));
            return null;
        }
        return lead;
    }

    private static Double fallback(ParameterReader reader) {
        if (!reader.has("fallback")) {
            return null;
        }
        double fallback = reader.number("fallback", Double.NaN, 0);
        return Double.isNaN(fallback) ? null : fallback;
    }

    /** The scaler's raw parameters, handed to its provider; null when they are not a map of names. */
    private static Map<String, Object> parameters(ParameterReader reader) {
        return reader.has("parameters") ? reader.block("parameters") : Map.of();
    }

    /** The provider's parsed config; its problems are the metric's. */
    private static Object scalerConfig(String type, ScalerProvider<Object> provider, Map<String, Object> parameters,
                                       ParameterReader reader) {
        try {
            return provider.parseConfig(parameters);
        } catch (InvalidConfigException e) {
            e.problems().forEach(reader::problem);
        } catch (RuntimeException e) {
            reader.problem("the " + type + " scaler failed to parse its parameters (a bug in the scaler): " + e);
        }
        return null;
    }
}
