package io.demandmetrics.adapter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.demandmetrics.adapter.registry.ScalerRegistry;
import io.demandmetrics.scaler.cron.CronScalerProvider;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigParserTest {

    private static final ConfigParser PARSER = new ConfigParser(ScalerRegistry.of(new CronScalerProvider()));
    private static final String CRON = "type: cron\n    parameters: {timezone: UTC, start: '0 8 * * *', end: '0 9 * * *', desiredReplicas: 2}\n";

    @Test
    void defaultsFollowThePollInterval() throws Exception {
        AdapterConfig config = PARSER.parse("""
                metrics:
                  - name: office
                    namespace: shop
                    %s
                  - name: fast
                    namespace: shop
                    pollInterval: 2s
                    %s
                """.formatted(CRON, CRON));
        MetricDefinition office = config.metrics().get(0);
        assertThat(office.key()).isEqualTo(MetricKey.external("shop", "office"));
        assertThat(office.pollInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(office.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(office.maxAge()).isEqualTo(Duration.ofSeconds(45));
        assertThat(office.fallback()).isNull();
        MetricDefinition fast = config.metrics().get(1);
        assertThat(fast.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(fast.maxAge()).isEqualTo(Duration.ofSeconds(6));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("metrics: []\nmetric: []\n",
                        List.of("unknown top-level field \"metric\"; known: [forward, metrics]")),
                Arguments.of("{}", List.of("missing required top-level field \"metrics\"")),
                Arguments.of("metrics: [\n", List.of("YAML syntax error at line 2, column 1: expected the node content, but found '<stream end>'")),
                Arguments.of("metrics:\n  - name: a\n    name: b\n", List.of(
                        "YAML syntax error at line 3, column 5: found duplicate key name")),
                Arguments.of("""
                        metrics:
                          - name: lag
                            namespace: shop
                            type: kafka-lag
                          - namespace: shop
                            type: cron
                          - name: office
                            namespace: shop
                            type: cron
                            parameters: {timezone: Mars/Base, start: '0 8 * * *', end: '0 9 * * *', desiredReplicas: 0, ramp: 5m}
                            pollInterval: soon
                            fallback: -1
                        """, List.of(
                        "metric \"shop/lag\" (type \"kafka-lag\"): unknown scaler type \"kafka-lag\"; known: [cron]",
                        "metrics[1]: missing required field \"name\"",
                        "metrics[1]: missing required parameter \"timezone\"",
                        "metrics[1]: missing required parameter \"start\"",
                        "metrics[1]: missing required parameter \"end\"",
                        "metrics[1]: missing required parameter \"desiredReplicas\"",
                        "metric \"shop/office\" (type \"cron\"): field \"pollInterval\" value \"soon\" is not a duration (e.g. 30s, 10m, 1h30m)",
                        "metric \"shop/office\" (type \"cron\"): field \"fallback\" value \"-1\" must be >= 0",
                        "metric \"shop/office\" (type \"cron\"): unknown parameter \"ramp\"; known: [desiredReplicas, end, rampSteps, rampUp, start, timezone, windows]",
                        "metric \"shop/office\" (type \"cron\"): parameter \"timezone\" value \"Mars/Base\" is not an IANA time zone (e.g. Europe/Berlin)",
                        "metric \"shop/office\" (type \"cron\"): parameter \"desiredReplicas\" value \"0\" must be >= 1")),
                Arguments.of("""
                        metrics:
                          - name: per-node
                            namespace: shop
                            describes: nodes
                            %s
                          - name: cpu/x
                            describes: pods
                            object: web
                            %s
                          - name: q
                            namespace: Shop
                            describes: widgets
                            object: x
                            pollInterval: 1s
                            timeout: 2s
                            maxAge: 500ms
                            lead: 2h
                            %s
                        """.formatted(CRON, CRON, CRON), List.of(
                        "metric \"shop/per-node\" (type \"cron\"): field \"namespace\" must be absent: nodes are cluster-scoped",
                        "metric \"cpu/x\" (type \"cron\"): field \"name\" value \"cpu/x\" must be letters, digits, '_', '.', ':' or '-', starting and ending with a letter or digit, at most 253 characters",
                        "metric \"cpu/x\" (type \"cron\"): missing required field \"namespace\"",
                        "metric \"Shop/q\" (type \"cron\"): field \"describes\" value \"widgets\" must be \"external\" or one of "
                                + io.demandmetrics.adapter.api.KubernetesResource.knownNames(),
                        "metric \"Shop/q\" (type \"cron\"): field \"namespace\" value \"Shop\" is not a valid namespace name",
                        "metric \"Shop/q\" (type \"cron\"): field \"object\" is only for custom metrics (describes: pods, deployments.apps, ...)",
                        "metric \"Shop/q\" (type \"cron\"): field \"timeout\" value \"2s\" must be from 1ms to pollInterval (1s)",
                        "metric \"Shop/q\" (type \"cron\"): field \"maxAge\" value \"500ms\" must be from pollInterval (1s) to 168h",
                        "metric \"Shop/q\" (type \"cron\"): field \"lead\" value \"2h\" must be from pollInterval (1s) to 1h")),
                // Durations the adapter cannot honour: a timer counts whole milliseconds.
                Arguments.of("""
                        metrics:
                          - name: tiny
                            namespace: shop
                            timeout: 0.5ms
                            %s
                          - name: huge
                            namespace: shop
                            pollInterval: 99999999999h
                            maxAge: 30d
                            %s
                        """.formatted(CRON, CRON), List.of(
                        "metric \"shop/tiny\" (type \"cron\"): field \"timeout\" value \"0.5ms\" must be from 1ms to pollInterval (15s)",
                        "metric \"shop/huge\" (type \"cron\"): field \"pollInterval\" value \"99999999999h\" must be from 100ms to 24h",
                        "metric \"shop/huge\" (type \"cron\"): field \"maxAge\" value \"30d\" is not a duration (e.g. 30s, 10m, 1h30m)")),
                // Fields of the wrong shape: the same reader and message forms as a scaler's parameters.
                Arguments.of("""
                        metrics:
                          - name: [a, b]
                            namespace: ""
                            type: cron
                            parameters: [start]
                            fallback: lots
                            7: seven
                        """, List.of(
                        "metrics[0]: unknown field \"7\"; known: [describes, fallback, lead, maxAge, name, namespace, object, parameters, pollInterval, timeout, type]",
                        "metrics[0]: field \"name\" value \"[a, b]\" is not a string",
                        "metrics[0]: field \"namespace\" value \"\" must not be empty",
                        "metrics[0]: field \"fallback\" value \"lots\" is not a number",
                        "metrics[0]: field \"parameters\" must be a map")),
                Arguments.of("""
                        metrics:
                          - name: office
                            namespace: shop
                            %s
                          - name: office
                            namespace: shop
                            %s
                          - name: office
                            namespace: shop
                            describes: pods
                            %s
                        """.formatted(CRON, CRON, CRON), List.of(
                        "metric \"shop/office\" (type \"cron\"): describes external like metrics[0]; each metric may be defined once")));
    }

    /** Ten thousand metrics repeat their parameters' names and values: each text is held once. */
    @Test
    void repeatedTextsOfADocumentAreHeldOnce() throws Exception {
        AdapterConfig config = PARSER.parse("""
                metrics:
                  - name: office
                    namespace: shop
                    %s
                  - name: store
                    namespace: shop
                    %s
                """.formatted(CRON, CRON));
        var first = config.metrics().get(0).parameters();
        var second = config.metrics().get(1).parameters();
        assertThat(second.get("timezone")).isEqualTo("UTC").isSameAs(first.get("timezone"));
        assertThat(second.keySet()).allSatisfy(name -> assertThat(first.keySet()).anySatisfy(ours ->
                assertThat(ours).isSameAs(name)));
        assertThat(config.metrics().get(1).key().namespace()).isSameAs(config.metrics().get(0).key().namespace());
    }

    @Test
    void anAliasBombInAParameterGivesAShortMessage() {
        // 445 bytes of YAML whose value prints as tens of megabytes: each level doubles the last.
        StringBuilder yaml = new StringBuilder("bombs:\n  - &a0 [x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 24; i++) {
            yaml.append("  - &a").append(i).append(" [*a").append(i - 1).append(", *a").append(i - 1).append("]\n");
        }
        yaml.append("metrics:\n  - name: office\n    namespace: shop\n    type: cron\n    parameters: {timezone: UTC,")
                .append(" start: '0 8 * * *', end: '0 9 * * *', desiredReplicas: *a23, rampUp: *a23}\n");
        ConfigException error = catchThrowableOfType(ConfigException.class, () -> PARSER.parse(yaml.toString()));
        assertThat(error).isNotNull();
        assertThat(error.problems()).contains(
                "metric \"shop/office\" (type \"cron\"): parameter \"desiredReplicas\" value "
                        + "\"" + "[".repeat(24) + "x, x, x, x, x, x, x, x], [x, x, x, x, x,…\""
                        + " (a list of 2 elements) is not an integer");
        assertThat(String.join("\n", error.problems()).length()).isLessThan(2_000);
    }

    @Test
    void aHugeValueIsEchoedByItsStartAndLength() {
        String huge = "y".repeat(4 * 1024 * 1024 / 2);
        ConfigException error = catchThrowableOfType(ConfigException.class, () -> PARSER.parse("""
                metrics:
                  - name: office
                    namespace: shop
                    pollInterval: %s
                    %s
                """.formatted(huge, CRON)));
        assertThat(error.problems()).containsExactly("metric \"shop/office\" (type \"cron\"): field \"pollInterval\" value \""
                + "y".repeat(64) + "…\" (2097152 characters) is not a duration (e.g. 30s, 10m, 1h30m)");
    }

    @Test
    void problemsAreListedUpToABound() {
        StringBuilder yaml = new StringBuilder("metrics:\n");
        for (int i = 0; i < 150; i++) {
            yaml.append("  - {name: m").append(i).append(", namespace: shop, type: nope}\n");
        }
        ConfigException error = catchThrowableOfType(ConfigException.class, () -> PARSER.parse(yaml.toString()));
        assertThat(error.problems()).hasSize(101).endsWith("... and 50 more problems");
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void everyProblemIsReportedWithItsMetric(String yaml, List<String> problems) {
        ConfigException error = catchThrowableOfType(ConfigException.class, () -> PARSER.parse(yaml));
        assertThat(error).isNotNull();
        assertThat(error.problems()).containsExactlyElementsOf(problems);
    }
}
