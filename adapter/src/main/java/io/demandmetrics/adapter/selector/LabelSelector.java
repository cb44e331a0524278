package io.demandmetrics.adapter.selector;

import java.util.List;
import java.util.Map;

/**
 * A parsed Kubernetes label selector: requirements joined by AND. The empty selector
 * matches everything.
 */
public record LabelSelector(List<Requirement> requirements) {

    public static final LabelSelector EVERYTHING = new LabelSelector(List.of());

    public LabelSelector {
        requirements = List.copyOf(requirements);
    }

    /**
     * Parses the full selector syntax: {@code a=b}, {@code a==b}, {@code a!=b},
     * {@code a in (x,y)}, {@code a notin (x)}, {@code a}, {@code !a}, {@code a>1},
     * {@code a<1}, joined by commas. A null or blank text is the empty selector.
     *
     * @throws SelectorSyntaxException naming the problem
     */
    public static LabelSelector parse(String text) {
        return SelectorParser.parse(text);
    }

    public boolean isEmpty() {
        return requirements.isEmpty();
    }

    /** Whether every requirement holds for these labels. */
    public boolean matches(Map<String, String> labels) {
        for (Requirement requirement : requirements) {
            if (!requirement.matches(labels)) {
                return false;
            }
        }
        return true;
    }
}
