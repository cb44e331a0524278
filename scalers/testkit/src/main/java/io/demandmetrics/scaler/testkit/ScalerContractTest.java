package io.demandmetrics.scaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.Sample;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.threadchecker.BlockedThreadEvent;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The contract every scaler, ours or a team's, must keep. Extend it in the scaler's own
 * test sources:
 * <pre>{@code
 * class QueueDepthContractTest extends ScalerContractTest {
 *     protected String type() { return "queue-depth"; }
 *     protected List<String> missingParameterMessages() {
 *         return List.of("missing required parameter \"queue\"");
 *     }
 *     protected Map<String, Object> validParameters() { return Map.of("queue", "orders"); }
 * }
 * }</pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ScalerContractTest {

    private static final Pattern KEBAB_CASE = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    /** An event loop busy this long at once is reported by Vert.x's blocked-thread checker. */
    private static final long MAX_EVENT_LOOP_MILLIS = 200;

    /** Prefixes of threads that are not a scaler's: Vert.x's, the JDK's, and the test runner's. */
    private static final List<String> NOT_THE_SCALERS = List.of("vert.x-", "vertx-", "ForkJoinPool.commonPool-",
            "Common-Cleaner", "process reaper", "Attach Listener", "surefire-", "junit-");

    private Vertx vertx;
    /** What the blocked-thread checker reported, from the moment Vert.x started. */
    private final List<BlockedThreadEvent> blocked = new CopyOnWriteArrayList<>();

    /** The type name the scaler registers. */
    protected abstract String type();

    /** The exact problems an empty parameter block produces, in order. */
    protected abstract List<String> missingParameterMessages();

    /** A parameter block that parses. */
    protected abstract Map<String, Object> validParameters();

    @BeforeAll
    void startVertx() {
        vertx = Vertx.vertx(new VertxOptions()
                .setBlockedThreadCheckInterval(20).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
                .setMaxEventLoopExecuteTime(MAX_EVENT_LOOP_MILLIS)
                .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS));
        ((VertxInternal) vertx).blockedThreadChecker().setThreadBlockedHandler(blocked::add);
    }

    @AfterAll
    void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void providerIsFoundByServiceLoader() {
        assertThat(ServiceLoader.load(ScalerProvider.class))
                .as("ScalerProvider registered in META-INF/services")
                .extracting(ScalerProvider::type)
                .containsOnlyOnce(type());
    }

    @Test
    void typeIsKebabCase() {
        assertThat(type()).matches(KEBAB_CASE);
    }

    @Test
    void emptyParametersReportEveryMissingParameter() {
        InvalidConfigException error = catchThrowableOfType(InvalidConfigException.class,
                () -> provider().parseConfig(Map.of()));
        assertThat(error).as("parseConfig({}) must throw InvalidConfigException").isNotNull();
        assertThat(error.problems()).containsExactlyElementsOf(missingParameterMessages());
    }

    @Test
    void validParametersParse() {
        assertThatCode(() -> provider().parseConfig(validParameters())).doesNotThrowAnyException();
    }

    @Test
    void misspeltParameterIsRejected() {
        for (String key : validParameters().keySet()) {
            String misspelt = misspell(key);
            Map<String, Object> parameters = new LinkedHashMap<>(validParameters());
            parameters.put(misspelt, parameters.remove(key));
            InvalidConfigException error = catchThrowableOfType(InvalidConfigException.class,
                    () -> provider().parseConfig(parameters));
            assertThat(error).as("parameter %s misspelt as %s must be rejected", key, misspelt).isNotNull();
            assertThat(error.problems())
                    .anySatisfy(p -> assertThat(p).startsWith("unknown parameter \"" + misspelt + "\"; known: [")
                            .contains(key));
        }
    }

    @Test
    void scalerIsCreatedAndClosedWithoutBlocking() throws Exception {
        Object config = provider().parseConfig(validParameters());
        blocked.clear();
        Promise<Scaler> created = Promise.promise();
        // created on an event loop, as the adapter does: a blocking constructor would show here
        vertx.runOnContext(ignored -> {
            try {
                created.complete(create(config));
            } catch (RuntimeException e) {
                created.fail(e);
            }
        });
        Scaler scaler = created.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(scaler).isNotNull();
        scaler.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(blocked).as("Vert.x's blocked-thread checker: the event loop was blocked").isEmpty();
    }

    /**
     * One poll as the adapter makes it: {@code fetch()} on an event loop returns a future at
     * once, without blocking the loop, and the future completes within the metric's poll
     * timeout, with samples the adapter can serve or a failure that says what went wrong. The
     * scaler's source need not be there (a contract test has none): a clear failure passes.
     */
    @Test
    void fetchAnswersOnTheEventLoopWithoutBlockingIt() throws Exception {
        Object config = provider().parseConfig(validParameters());
        ScalerContext context = context();
        // A first poll, not measured: the first call in a JVM loads and links the scaler's
        // classes and its client's (a one-off the adapter's loop also pays once), which on a
        // busy machine can take longer than the bound. The poll measured is a fresh scaler's.
        long bound = context.pollTimeout().toMillis() + 2_000;
        Fetched first = fetchOnTheEventLoop(config, context);
        try {
            first.outcome().handle((samples, failure) -> null).get(bound, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw notCompleted(context);
        } finally {
            first.scaler().close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        blocked.clear();
        Fetched measured = fetchOnTheEventLoop(config, context);
        Scaler scaler = measured.scaler();
        CompletableFuture<List<Sample>> outcome = measured.outcome();
        try {
            List<Sample> samples = outcome.get(bound, TimeUnit.MILLISECONDS);
            assertThat(samples).as("the samples of a successful fetch").isNotNull().doesNotContainNull();
            assertThat(samples).allSatisfy(sample -> assertThat(Double.isFinite(sample.value()))
                    .as("value %s of %s is a quantity", sample.value(), sample).isTrue());
            List<Sample> combined = provider().combine(config, samples, false);
            assertThat(combined).as("combine() of a fetch's samples").isNotNull().doesNotContainNull();
        } catch (ExecutionException e) {
            assertThat(e.getCause().getMessage()).as("a failed fetch says what went wrong").isNotBlank();
        } catch (TimeoutException e) {
            throw notCompleted(context);
        } finally {
            scaler.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(measured.heldNanos()))
                .as("milliseconds fetch() held the event loop before returning its future")
                .isLessThan(MAX_EVENT_LOOP_MILLIS);
        assertThat(blocked).as("Vert.x's blocked-thread checker: the event loop was blocked").isEmpty();
    }

    /**
     * What a scaler takes, {@code close()} gives back: once a scaler has polled and been closed,
     * the threads it started have ended and the meters it registered are gone. The adapter
     * creates and closes scalers at every config change and plugin reload, so whatever one
     * keeps is kept once per change. Threads of Vert.x and of the context's worker pool are the
     * adapter's and do not count; a client shared by several scalers (a support
     * {@code SharedResources}) is closed with its last scaler, which here is this one.
     */
    @Test
    void closeReleasesWhatTheScalerTook() throws Exception {
        Object config = provider().parseConfig(validParameters());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ScalerContext context = context();
        if (context instanceof TestScalerContext testContext) {
            testContext.metered(meters);
        }
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        Fetched fetched = fetchOnTheEventLoop(config, context);
        try {
            fetched.outcome().handle((samples, failure) -> null)
                    .get(context.pollTimeout().toMillis() + 2_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw notCompleted(context);
        }
        fetched.scaler().close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // A client's threads end shortly after its close() returns: wait for that, within bounds.
        long deadline = System.nanoTime() + releaseTimeout().toNanos();
        List<String> threads = startedSince(before);
        List<String> kept = meterNames(meters);
        while ((!threads.isEmpty() || !kept.isEmpty()) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20); // polling a condition, bounded by the deadline
            threads = startedSince(before);
            kept = meterNames(meters);
        }
        assertThat(threads).as("threads the scaler started and close() left running %d ms later",
                releaseTimeout().toMillis()).isEmpty();
        assertThat(kept).as("meters the scaler registered and close() did not remove").isEmpty();
    }

    /**
     * How long after {@code close()} the scaler's threads may take to end and its meters to go;
     * 10 s. Override it for a client known to linger longer (and say why).
     */
    protected Duration releaseTimeout() {
        return Duration.ofSeconds(10);
    }

    private List<String> startedSince(Set<Thread> before) {
        String pool = "scaler-" + type() + "-"; // the context's worker pool: the adapter's, not the scaler's
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && !before.contains(thread))
                .map(Thread::getName)
                .filter(name -> !name.startsWith(pool) && NOT_THE_SCALERS.stream().noneMatch(name::startsWith))
                .sorted().toList();
    }

    private static List<String> meterNames(SimpleMeterRegistry meters) {
        return meters.getMeters().stream().map(meter -> meter.getId().getName() + meter.getId().getTags())
                .sorted().toList();
    }

    private static AssertionError notCompleted(ScalerContext context) {
        return new AssertionError("fetch() did not complete within the poll timeout ("
                + context.pollTimeout().toMillis() + " ms) and 2 s more: bound the source's calls by"
                + " ScalerContext.sourceTimeout()");
    }

    /** A scaler, the future its {@code fetch()} returned, and how long the call held the event loop. */
    private record Fetched(Scaler scaler, Future<List<Sample>> fetched, long heldNanos) {
        CompletableFuture<List<Sample>> outcome() {
            return fetched.toCompletionStage().toCompletableFuture();
        }
    }

    /** Creates a scaler and calls its {@code fetch()} on the event loop, as the adapter polls. */
    private Fetched fetchOnTheEventLoop(Object config, ScalerContext context) throws Exception {
        Promise<Scaler> created = Promise.promise();
        vertx.runOnContext(ignored -> created.complete(provider().createScaler(config, context)));
        Scaler scaler = created.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        CompletableFuture<Fetched> called = new CompletableFuture<>();
        vertx.runOnContext(ignored -> {
            long started = System.nanoTime();
            try {
                Future<List<Sample>> fetched = scaler.fetch();
                called.complete(new Fetched(scaler, fetched, System.nanoTime() - started));
            } catch (Throwable e) {
                called.completeExceptionally(e);
            }
        });
        try {
            Fetched fetched = called.get(10, TimeUnit.SECONDS);
            assertThat(fetched.fetched()).as("fetch() must return a future, never null").isNotNull();
            return fetched;
        } catch (ExecutionException e) {
            throw new AssertionError("fetch() threw instead of failing its future: " + e.getCause(), e.getCause());
        }
    }

    /** The provider under test, found the way the adapter finds it. */
    @SuppressWarnings("unchecked")
    protected ScalerProvider<Object> provider() {
        for (ScalerProvider<?> provider : ServiceLoader.load(ScalerProvider.class)) {
            if (provider.type().equals(type())) {
                return (ScalerProvider<Object>) provider;
            }
        }
        throw new AssertionError("no ScalerProvider of type " + type() + " in META-INF/services");
    }

    /**
     * A context for creating scalers in tests: this class's Vert.x, the system clock, and a
     * poll timeout of 2 s, so a fetch against a source that is not there fails quickly.
     */
    protected ScalerContext context() {
        return new TestScalerContext(vertx, type(), "contract-test/" + type(), Duration.ofSeconds(2));
    }

    private Scaler create(Object config) {
        return provider().createScaler(config, context());
    }

    private static String misspell(String key) {
        return key.length() < 2 ? key + "x" : key.substring(0, key.length() / 2) + key.substring(key.length() / 2 + 1);
    }
}
