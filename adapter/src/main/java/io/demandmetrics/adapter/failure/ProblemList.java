package io.demandmetrics.adapter.failure;

import java.util.ArrayList;
import java.util.List;

/**
 * The problems a message lists, however many a file has: the first {@link #MAX_PROBLEMS}, each at
 * most {@link #MAX_PROBLEM_LENGTH} characters, then how many more. A file is fixed a few problems
 * at a time, and a hostile or generated one must not make a log line of megabytes. Used for the
 * config file and the plugin pins file alike.
 */
public final class ProblemList {

    /** Problems listed at most; the rest are counted. */
    public static final int MAX_PROBLEMS = 100;
    /** Characters of one problem at most, whatever a scaler or a file put in it. */
    public static final int MAX_PROBLEM_LENGTH = 1_000;

    private ProblemList() {
    }

    /** {@code problems} as a message shows them. */
    public static List<String> bounded(List<String> problems) {
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
}
