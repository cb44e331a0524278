package io.demandmetrics.adapter.selector;

import java.util.List;
import java.util.Map;

/** One clause of a label selector. */
public record Requirement(String key, Operator operator, List<String> values) {

    public Requirement {
        values = List.copyOf(values);
    }

    /** The selector operators, with Kubernetes' matching rules. */
    public enum Operator {
        EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST, GREATER_THAN, LESS_THAN
    }

    boolean matches(Map<String, String> labels) {
        String value = labels.get(key);
        return switch (operator) {
            case EQUALS, IN -> value != null && values.contains(value);
            // as upstream: a missing label satisfies != and notin
            case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
            case EXISTS -> value != null;
            case DOES_NOT_EXIST -> value == null;
            case GREATER_THAN -> compare(value) > 0;
            case LESS_THAN -> compare(value) < 0;
        };
    }

    /** Sign of (label value - bound); 0 when the label is missing or not an integer (no match). */
    private int compare(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Long.compare(Long.parseLong(value), Long.parseLong(values.get(0)));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
