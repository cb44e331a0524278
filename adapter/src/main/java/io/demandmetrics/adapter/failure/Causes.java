package io.demandmetrics.adapter.failure;

import java.util.ArrayList;
import java.util.List;

/**
 * The causes below a failure, for messages that say what failed underneath a library's own
 * wrapper (fabric8's "Operation ... failed" says nothing of a refused connection). A cause that
 * is its own cause ends the chain.
 */
public final class Causes {

    private Causes() {
    }

    /** The deepest cause of {@code failure}, or {@code failure} itself when it has none. */
    public static Throwable root(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /**
     * At most {@code max} of the causes below {@code failure}, outermost first, each as its class's
     * simple name and its message, each text once; empty when it has no cause.
     */
    public static List<String> below(Throwable failure, int max) {
        List<String> causes = new ArrayList<>();
        for (Throwable cause = failure.getCause(); cause != null && causes.size() < max; cause = cause.getCause()) {
            String text = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            if (!causes.contains(text)) {
                causes.add(text);
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return causes;
    }
}
