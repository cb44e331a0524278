package io.demandmetrics.adapter.config;

import java.util.List;

/** Every problem found in a config file, each prefixed with the metric it belongs to. */
public final class ConfigException extends Exception {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(problems.size() + " problem(s) in the config:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
