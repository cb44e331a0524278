package io.demandmetrics.scaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.spi.Scaler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private Vertx vertx;

    /** The type name the scaler registers. */
    protected abstract String type();

    /** The exact problems an empty parameter block produces, in order. */
    protected abstract List<String> missingParameterMessages();

    /** A parameter block that parses. */
    protected abstract Map<String, Object> validParameters();

    @BeforeAll
    void startVertx() {
        vertx = Vertx.vertx();
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

    /** A context for creating scalers in tests: this class's Vert.x, the system clock. */
    protected ScalerContext context() {
        return new TestScalerContext(vertx, type(), "contract-test/" + type());
    }

    private Scaler create(Object config) {
        return provider().createScaler(config, context());
    }

    private static String misspell(String key) {
        return key.length() < 2 ? key + "x" : key.substring(0, key.length() / 2) + key.substring(key.length() / 2 + 1);
    }
}
