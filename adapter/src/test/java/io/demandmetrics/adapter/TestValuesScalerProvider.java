package io.demandmetrics.adapter;

import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.support.ParameterReader;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code test-values}: a source whose answers the test sets, by name. Registered for the
 * adapter's tests only (src/test/resources/META-INF/services).
 */
public final class TestValuesScalerProvider implements ScalerProvider<String> {

    private static final Map<String, Future<List<Sample>>> SOURCES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> FETCHES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> CLOSES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> PARSES = new ConcurrentHashMap<>();
    private static final Map<String, String> DESCRIBES = new ConcurrentHashMap<>();

    static void set(String source, List<Sample> samples) {
        SOURCES.put(source, Future.succeededFuture(samples));
    }

    static void fail(String source, String message) {
        SOURCES.put(source, Future.failedFuture(message));
    }

    /** A source that never answers: the poll must time out. */
    static void hang(String source) {
        SOURCES.put(source, io.vertx.core.Promise.<List<Sample>>promise().future());
    }

    /** A source whose answer the test gives later, by completing the promise. */
    static io.vertx.core.Promise<List<Sample>> later(String source) {
        io.vertx.core.Promise<List<Sample>> answer = io.vertx.core.Promise.promise();
        SOURCES.put(source, answer.future());
        return answer;
    }

    /** How many times a config naming the source was parsed (at startup and on every reload). */
    /** What the last scaler created for {@code source} was told its metric describes. */
    static String describes(String source) {
        return DESCRIBES.get(source);
    }

    static int parses(String source) {
        return PARSES.computeIfAbsent(source, s -> new AtomicInteger()).get();
    }

    static int fetches(String source) {
        return FETCHES.computeIfAbsent(source, s -> new AtomicInteger()).get();
    }

    static int closes(String source) {
        return CLOSES.computeIfAbsent(source, s -> new AtomicInteger()).get();
    }

    @Override
    public String type() {
        return "test-values";
    }

    @Override
    public String parseConfig(Map<String, Object> parameters) throws InvalidConfigException {
        ParameterReader p = new ParameterReader(parameters, "source");
        String source = p.string("source");
        p.throwIfInvalid();
        PARSES.computeIfAbsent(source, s -> new AtomicInteger()).incrementAndGet();
        return source;
    }

    @Override
    public Scaler createScaler(String source, ScalerContext context) {
        DESCRIBES.put(source, context.describes());
        return new Scaler() {
            @Override
            public Future<List<Sample>> fetch() {
                FETCHES.computeIfAbsent(source, s -> new AtomicInteger()).incrementAndGet();
                return SOURCES.getOrDefault(source, Future.failedFuture("test source " + source + " is not set"));
            }

            @Override
            public Future<Void> close() {
                CLOSES.computeIfAbsent(source, s -> new AtomicInteger()).incrementAndGet();
                return Future.succeededFuture();
            }
        };
    }
}
