package io.demandmetrics.scaler.spi;

import java.util.List;

/** Every problem found in one metric's parameters, each a complete sentence fragment. */
public final class InvalidConfigException extends Exception {

    private final List<String> problems;

    public InvalidConfigException(List<String> problems) {
        super(String.join("; ", problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid config has at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public InvalidConfigException(String problem) {
        this(List.of(problem));
    }

    /** The problems in the order they were found, e.g. {@code missing required parameter "start"}. */
    public List<String> problems() {
        return problems;
    }
}
