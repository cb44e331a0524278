package io.demandmetrics.scaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** The contract's fetch and close tests fail for each way a plugin can break them, and pass a good one. */
class ScalerContractTestTest {

    /** The contract, for one provider type; run only through the launcher below. */
    @Disabled("run by ScalerContractTestTest through the JUnit launcher, once per provider type")
    abstract static class ContractFor extends ScalerContractTest {
        @Override
        protected List<String> missingParameterMessages() {
            return List.of("missing required parameter \"value\"");
        }

        @Override
        protected Map<String, Object> validParameters() {
            return Map.of("value", "x");
        }
    }

    static class KeepsContract extends ContractFor {
        @Override
        protected String type() {
            return "keeps-contract";
        }
    }

    static class FetchThrows extends ContractFor {
        @Override
        protected String type() {
            return "fetch-throws";
        }
    }

    static class FetchReturnsNull extends ContractFor {
        @Override
        protected String type() {
            return "fetch-returns-null";
        }
    }

    static class FetchBlocks extends ContractFor {
        @Override
        protected String type() {
            return "fetch-blocks";
        }
    }

    static class FetchNeverCompletes extends ContractFor {
        @Override
        protected String type() {
            return "fetch-never-completes";
        }
    }

    static class FetchReturnsNaN extends ContractFor {
        @Override
        protected String type() {
            return "fetch-returns-nan";
        }
    }

    static class FetchFailsWithoutMessage extends ContractFor {
        @Override
        protected String type() {
            return "fetch-fails-without-message";
        }
    }

    static class CloseLeavesAThread extends ContractFor {
        @Override
        protected String type() {
            return "close-leaves-a-thread";
        }

        @Override
        protected java.time.Duration releaseTimeout() {
            return java.time.Duration.ofMillis(500);
        }
    }

    static class CloseKeepsAMeter extends ContractFor {
        @Override
        protected String type() {
            return "close-keeps-a-meter";
        }

        @Override
        protected java.time.Duration releaseTimeout() {
            return java.time.Duration.ofMillis(500);
        }
    }

    private static final String FETCH = "fetchAnswersOnTheEventLoopWithoutBlockingIt";
    private static final String CLOSE = "closeReleasesWhatTheScalerTook";

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "KeepsContract|" + FETCH + "|",
        "FetchThrows|" + FETCH + "|fetch() threw instead of failing its future",
        "FetchReturnsNull|" + FETCH + "|fetch() must return a future, never null",
        "FetchBlocks|" + FETCH + "|the event loop",
        "FetchNeverCompletes|" + FETCH + "|did not complete within the poll timeout",
        "FetchReturnsNaN|" + FETCH + "|is a quantity",
        "FetchFailsWithoutMessage|" + FETCH + "|a failed fetch says what went wrong",
        "KeepsContract|" + CLOSE + "|",
        "CloseLeavesAThread|" + CLOSE + "|[threads the scaler started and close() left running 500 ms later]",
        "CloseKeepsAMeter|" + CLOSE + "|demand_adapter_leaky_metrics",
    })
    void eachContractTestFailsExactlyForBrokenPlugins(String contract, String method, String expectedFailure)
            throws Exception {
        Class<?> test = Class.forName(ScalerContractTestTest.class.getName() + "$" + contract);
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectMethod(test, method))
                .configurationParameter("junit.jupiter.conditions.deactivate", "org.junit.*DisabledCondition")
                .build(), listener);
        TestExecutionSummary summary = listener.getSummary();
        assertThat(summary.getTestsStartedCount()).isEqualTo(1);
        if (expectedFailure == null) {
            assertThat(summary.getFailures()).isEmpty();
        } else {
            assertThat(summary.getFailures()).hasSize(1);
            assertThat(summary.getFailures().get(0).getException()).hasMessageContaining(expectedFailure);
        }
    }
}
