package io.demandmetrics.scaler.support;

import io.demandmetrics.scaler.spi.InvalidConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a scaler's raw parameters into typed values, collecting every problem instead of
 * stopping at the first, in the house message forms:
 * <pre>
 * missing required parameter "group"
 * parameter "lagThreshold" value "abc" is not an integer
 * parameter "lagThreshold" value "0" must be &gt;= 1
 * parameter "mode" value "fast" must be one of [lag, rate]
 * unknown parameter "lagTreshold"; known: [bootstrapServers, group, lagThreshold]
 * </pre>
 * Typical use in {@link ScalerProvider#parseConfig}:
 * <pre>{@code
 * ParameterReader p = new ParameterReader(parameters, "group", "lagThreshold");
 * String group = p.string("group");
 * long lagThreshold = p.integer("lagThreshold", 10, 1);
 * p.throwIfInvalid();
 * return new LagConfig(group, lagThreshold);
 * }</pre>
 * Methods return a placeholder (null, the default, 0) for a value with a problem, so
 * parsing carries on and reports the rest; {@link #throwIfInvalid()} then throws. Not
 * thread-safe; use one reader per parse.
 *
 * <p>The adapter reads its own config fields with the same reader ({@link #forFields}), so a
 * user meets one set of message forms whether the mistake is in a field or a parameter.
 */
public final class ParameterReader {

    private final Map<?, ?> parameters;
    /** What a name is called in messages: "parameter", "field", "top-level field". */
    private final String noun;
    private final String prefix;
    private final Set<String> known;
    private final List<String> problems;

    /**
     * @param parameters the raw parameters
     * @param knownNames every parameter name the scaler accepts; any other key is reported
     */
    public ParameterReader(Map<String, Object> parameters, String... knownNames) {
        this(parameters, "parameter", "", List.of(knownNames), new ArrayList<>());
    }

    private ParameterReader(Map<?, ?> parameters, String noun, String prefix, List<String> knownNames,
                            List<String> problems) {
        this.parameters = parameters == null ? Map.of() : parameters;
        this.noun = noun;
        this.prefix = prefix;
        this.known = new LinkedHashSet<>(knownNames);
        this.problems = problems;
        // Keys come from YAML, so they may be numbers or lists: shown, never cast.
        Set<String> unknown = new TreeSet<>();
        for (Object key : this.parameters.keySet()) {
            if (!(key instanceof String name) || !known.contains(name)) {
                unknown.add(BoundedQuote.quote(key instanceof String name ? prefix + name : key));
            }
        }
        for (String name : unknown) {
            problems.add("unknown " + noun + " " + name + "; known: " + new TreeSet<>(known));
        }
    }

    /**
     * A reader for the adapter's own config fields, whose messages say {@code noun} where a
     * scaler's say "parameter" ({@code missing required field "name"}).
     *
     * @param noun what one name is called, e.g. "field" or "top-level field"
     * @param fields the raw YAML map, whose keys may be of any type
     */
    public static ParameterReader forFields(String noun, Map<?, ?> fields, List<String> knownNames) {
        return new ParameterReader(fields, noun, "", knownNames, new ArrayList<>());
    }

    /**
     * A reader for a nested block, e.g. one element of a list of windows, that reports into
     * this reader's problems with names such as {@code windows[0].start}.
     */
    public ParameterReader nested(String path, Map<String, Object> block, String... knownNames) {
        return new ParameterReader(block, noun, prefix + path + ".", List.of(knownNames), problems);
    }

    /** Whether the parameter is present (with any value, even an empty one). */
    public boolean has(String name) {
        return raw(name) != null;
    }

    /** A required string; {@code null} when missing. */
    public String string(String name) {
        Object value = raw(name);
        if (value == null) {
            missing(name);
            return null;
        }
        if (value instanceof Map || value instanceof List) {
            invalid(name, value, "is not a string");
            return null;
        }
        String text = value.toString();
        if (text.isBlank()) {
            invalid(name, value, "must not be empty");
            return null;
        }
        return text;
    }

    /** An optional string. */
    public String string(String name, String defaultValue) {
        return has(name) ? string(name) : defaultValue;
    }

    /** A required integer of at least {@code min}. */
    public long integer(String name, long min) {
        Object value = raw(name);
        if (value == null) {
            missing(name);
            return min;
        }
        Long parsed = parseLong(value);
        if (parsed == null) {
            invalid(name, value, "is not an integer");
            return min;
        }
        if (parsed < min) {
            invalid(name, value, "must be >= " + min);
            return min;
        }
        return parsed;
    }

    /** An optional integer of at least {@code min}. */
    public long integer(String name, long defaultValue, long min) {
        return has(name) ? integer(name, min) : defaultValue;
    }

    /** An optional finite number of at least {@code min}. */
    public double number(String name, double defaultValue, double min) {
        Object value = raw(name);
        if (value == null) {
            return defaultValue;
        }
        double parsed;
        try {
            parsed = value instanceof Number n ? n.doubleValue() : Double.parseDouble(scalarText(value).trim());
        } catch (NumberFormatException e) {
            invalid(name, value, "is not a number");
            return defaultValue;
        }
        if (!Double.isFinite(parsed)) {
            invalid(name, value, "is not a finite number");
            return defaultValue;
        }
        if (parsed < min) {
            invalid(name, value, "must be >= " + formatBound(min));
            return defaultValue;
        }
        return parsed;
    }

    /** An optional boolean, {@code true} or {@code false}. */
    public boolean bool(String name, boolean defaultValue) {
        Object value = raw(name);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = scalarText(value).trim();
        if (text.equals("true") || text.equals("false")) {
            return Boolean.parseBoolean(text);
        }
        invalid(name, value, "must be one of [true, false]");
        return defaultValue;
    }

    /** An optional duration ({@code 30s}, {@code 10m}, {@code 1h30m}) of at least {@code min}. */
    public Duration duration(String name, Duration defaultValue, Duration min) {
        Object value = raw(name);
        if (value == null) {
            return defaultValue;
        }
        Duration parsed;
        try {
            parsed = Durations.parse(scalarText(value));
        } catch (IllegalArgumentException e) {
            invalid(name, value, "is not a duration (e.g. 30s, 10m, 1h30m)");
            return defaultValue;
        }
        if (parsed.compareTo(min) < 0) {
            invalid(name, value, "must be >= " + Durations.format(min));
            return defaultValue;
        }
        return parsed;
    }

    /**
     * An optional path to a file the scaler reads later (a mounted Secret, a CA): checked to be
     * readable now, so a typo is a config error rather than a failure at every poll. Its content
     * is not read here, so a rotated file is picked up when the scaler reads it.
     */
    public String readableFile(String name) {
        String file = string(name, null);
        if (file != null && !java.nio.file.Files.isReadable(java.nio.file.Path.of(file))) {
            invalid(name, file, "is not a readable file (a mounted Secret's path?)");
        }
        return file;
    }

    /** An optional value from a fixed set. */
    public String oneOf(String name, String defaultValue, List<String> allowed) {
        Object value = raw(name);
        if (value == null) {
            return defaultValue;
        }
        String text = scalarText(value);
        if (!allowed.contains(text)) {
            invalid(name, value, "must be one of " + allowed);
            return defaultValue;
        }
        return text;
    }

    /** An optional list of blocks ({@code windows: [{start: ..., end: ...}]}); empty when absent. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> blocks(String name) {
        Object value = raw(name);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list) || !list.stream().allMatch(e -> e instanceof Map)) {
            problems.add(noun + " " + BoundedQuote.quote(prefix + name) + " must be a list of maps");
            return List.of();
        }
        return (List<Map<String, Object>>) value;
    }

    /**
     * An optional block of named settings ({@code tls: {caFile: ...}}), to read with
     * {@link #nested}; null when absent.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> block(String name) {
        Object value = raw(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> map) || !map.keySet().stream().allMatch(k -> k instanceof String)) {
            problems.add(noun + " " + BoundedQuote.quote(prefix + name) + " must be a map");
            return null;
        }
        return (Map<String, Object>) value;
    }

    /**
     * An optional list of non-empty strings, written as a YAML list or as one comma-separated
     * string ({@code a,b}); empty when absent.
     */
    public List<String> strings(String name) {
        Object value = raw(name);
        if (value == null) {
            return List.of();
        }
        List<?> elements = value instanceof List<?> list ? list : List.of(scalarText(value).split(",", -1));
        List<String> result = new ArrayList<>();
        for (Object element : elements) {
            String text = element == null ? "" : scalarText(element).trim();
            if (text.isEmpty() || element instanceof Map || element instanceof List) {
                invalid(name, value, "must be a list of non-empty strings");
                return List.of();
            }
            result.add(text);
        }
        return List.copyOf(result);
    }

    /** Records a problem that a cross-field check found, in the same list. */
    public void problem(String message) {
        problems.add(message);
    }

    /** Records {@code parameter "name" value "v" <complaint>} for a check the reader cannot make. */
    public void invalid(String name, Object value, String complaint) {
        problems.add(noun + " " + BoundedQuote.quote(prefix + name) + " value " + BoundedQuote.quote(value) + " " + complaint);
    }

    /**
     * Records {@code parameter "name" value "<as written>" <complaint>} for a present value that
     * parsed but failed a check across fields (a timeout longer than the poll interval).
     */
    public void invalid(String name, String complaint) {
        invalid(name, raw(name), complaint);
    }

    /** The problems found so far. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** Throws if any problem was found. */
    public void throwIfInvalid() throws InvalidConfigException {
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
    }

    private Object raw(String name) {
        if (!known.contains(name)) {
            throw new IllegalArgumentException("parameter " + name + " is not among the known names " + known);
        }
        return parameters.get(name);
    }

    private void missing(String name) {
        problems.add("missing required " + noun + " " + BoundedQuote.quote(prefix + name));
    }

    private static Long parseLong(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            return ((Number) value).longValue();
        }
        if (value instanceof Number || value instanceof Boolean) {
            return null;
        }
        try {
            return Long.parseLong(scalarText(value).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * A scalar's text; "" for a list or map, which then fails the caller's parse as it should.
     * Never a collection's {@code toString()}: a YAML alias bomb prints as gigabytes.
     */
    private static String scalarText(Object value) {
        return value instanceof Map || value instanceof List ? "" : value.toString();
    }

    private static String formatBound(double bound) {
        return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
    }
}
