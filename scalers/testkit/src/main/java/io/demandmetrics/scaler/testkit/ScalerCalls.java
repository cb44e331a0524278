package io.demandmetrics.scaler.testkit;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Blocking calls of a scaler for tests (from the test thread, never an event loop). */
public final class ScalerCalls {

    private static final long TIMEOUT_SECONDS = 30;

    private ScalerCalls() {
    }

    /** What one {@link Scaler#fetch()} returns; throws what it failed with. */
    public static List<Sample> fetch(Scaler scaler) throws Exception {
        return scaler.fetch().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** The message of a fetch that must fail; an AssertionError if it succeeds. */
    public static String failureOf(Scaler scaler) throws Exception {
        try {
            fetch(scaler);
        } catch (ExecutionException e) {
            return e.getCause().getMessage();
        }
        throw new AssertionError("the fetch succeeded");
    }
}
