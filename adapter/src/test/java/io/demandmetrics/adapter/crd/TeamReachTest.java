package io.demandmetrics.adapter.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.config.ConfigParser;
import io.demandmetrics.adapter.registry.ScalerRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The reach rule: a DemandMetric of namespace {@code shop} calls Services of {@code shop} and
 * what the platform opened, nothing else; a shared Prometheus is asked as {@code shop} only;
 * the adapter's AWS identity is never a team's; a plugin type is refused unless opened.
 */
class TeamReachTest {

    private static final TeamReach OPENED = new TeamReach(List.of("thanos-query.monitoring.svc:9090",
            "*.kafka.example.com:9093"), Set.of("csv"));

    private static List<String> check(TeamReach reach, String type, Map<String, Object> parameters) {
        return reach.check(type, "shop", parameters, new LinkedHashMap<>(parameters));
    }

    @Test
    void servicesOfTheNamespaceAreInReachAndNothingADnsSearchCouldSendElsewhere() {
        assertThat(TeamReach.inNamespace("prometheus.shop.svc", "shop")).isTrue();
        assertThat(TeamReach.inNamespace("prometheus.shop.svc.cluster.local", "shop")).isTrue();
        assertThat(TeamReach.inNamespace("Prometheus.Shop.SVC.", "shop")).isTrue();
        assertThat(TeamReach.inNamespace("prometheus.monitoring.svc", "shop")).as("another namespace").isFalse();
        assertThat(TeamReach.inNamespace("prometheus.shop", "shop")).as("x.shop may be an internet name").isFalse();
        assertThat(TeamReach.inNamespace("evil.shop.svc.attacker.example", "shop")).isFalse();
        assertThat(TeamReach.inNamespace("169.254.169.254", "shop")).isFalse();
        assertThat(TeamReach.inNamespace(".shop.svc", "shop")).isFalse();
        assertThat(TeamReach.inNamespace("web-0.web.shop.svc", "shop")).as("a pod behind a headless Service").isTrue();
        assertThat(TeamReach.inNamespace("a.b.web.shop.svc", "shop")).isFalse();
    }

    @Test
    void aPrometheusElsewhereIsRefusedUnlessOpenedAndThenAskedAsTheNamespaceOnly() {
        Map<String, Object> own = Map.of("serverAddress", "http://prometheus.shop.svc:9090", "query", "up");
        assertThat(check(TeamReach.CLOSED, "prometheus", own)).isEmpty();

        Map<String, Object> shared = Map.of("serverAddress", "http://thanos-query.monitoring.svc:9090", "query", "up");
        assertThat(check(TeamReach.CLOSED, "prometheus", shared)).containsExactly("spec.parameters.serverAddress:"
                + " http://thanos-query.monitoring.svc:9090 is outside namespace shop (a Service there is"
                + " <name>.shop.svc) and not among the destinations the platform opened to teams (none)");
        Map<String, Object> resolved = new LinkedHashMap<>(shared);
        assertThat(OPENED.check("prometheus", "shop", shared, resolved)).isEmpty();
        assertThat(resolved).containsEntry("namespace", "shop");

        Map<String, Object> otherTenant = new LinkedHashMap<>(shared);
        otherTenant.put("namespace", "payments");
        otherTenant.put("customHeaders", "X-Scope-OrgID=payments");
        otherTenant.put("awsRegion", "eu-west-1");
        assertThat(check(OPENED, "prometheus", otherTenant)).containsExactlyInAnyOrder(
                "spec.parameters.awsRegion: SigV4 signs with the adapter's AWS identity, which is not a team's to use",
                "spec.parameters.customHeaders is refused for a Prometheus outside namespace shop: it could name"
                        + " another tenant",
                "spec.parameters.namespace is payments; a DemandMetric of namespace shop queries a shared Prometheus"
                        + " as shop only");
        assertThat(check(OPENED, "prometheus", Map.of("serverAddress", "http://thanos-query.monitoring.svc:9091",
                "query", "up"))).as("another port").hasSize(1);
    }

    @Test
    void theSharedPrometheusNamespaceReachesTheScaler() throws Exception {
        ConfigParser parser = new ConfigParser(ScalerRegistry.load(null, w -> { }));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("type", "prometheus");
        spec.put("parameters", Map.of("serverAddress", "http://thanos-query.monitoring.svc:9090", "query",
                "sum(rate(http_requests_total[1m]))"));
        TeamMetric metric = TeamMetricReader.read(TeamMetricsTest.resource("shop", "rps", "uid-r", 1, spec), parser,
                TeamMetricReader.NO_SECRETS, OPENED);
        assertThat(metric.problems()).isEmpty();
        assertThat(metric.definition().parameters()).containsEntry("namespace", "shop");
        TeamMetric closed = TeamMetricReader.read(TeamMetricsTest.resource("shop", "rps", "uid-r", 1, spec), parser,
                TeamMetricReader.NO_SECRETS, TeamReach.CLOSED);
        assertThat(closed.definition()).isNull();
        assertThat(closed.problems()).singleElement().asString().contains("is outside namespace shop");
    }

    @Test
    void scrapeTargetsBrokersAndEndpointsKeepToTheNamespaceOrWhatIsOpened() {
        assertThat(check(TeamReach.CLOSED, "rps", Map.of("targets", List.of(
                Map.of("pod", "a", "url", "http://web-0.web.shop.svc:8080/metrics"),
                Map.of("pod", "b", "url", "http://169.254.169.254/latest/meta-data/"))))).singleElement().asString()
                .startsWith("spec.parameters.targets[1].url: http://169.254.169.254/latest/meta-data/ is outside");
        assertThat(check(TeamReach.CLOSED, "latency", Map.of("prometheus", Map.of("serverAddress",
                "http://prometheus.monitoring.svc:9090")))).singleElement().asString()
                .startsWith("spec.parameters.prometheus.serverAddress: ");

        assertThat(check(OPENED, "kafka-lag", Map.of("bootstrapServers",
                "kafka.shop.svc:9092, b1.kafka.example.com:9093,b2.kafka.example.com:9092",
                "sasl", Map.of("tokenEndpointUrl", "https://login.internal.example/token")))).containsExactly(
                "spec.parameters.bootstrapServers: b2.kafka.example.com:9092 is outside namespace shop (a Service"
                        + " there is <name>.shop.svc) and not among the destinations the platform opened to teams"
                        + " (thanos-query.monitoring.svc:9090, *.kafka.example.com:9093)",
                "spec.parameters.sasl.tokenEndpointUrl: https://login.internal.example/token is outside namespace"
                        + " shop (a Service there is <name>.shop.svc) and not among the destinations the platform"
                        + " opened to teams (thanos-query.monitoring.svc:9090, *.kafka.example.com:9093)");
        assertThat(check(OPENED, "kafka-lag", Map.of("bootstrapServers", List.of("kafka.example.com:9093"))))
                .as("*.domain is a subdomain's, not the domain's").hasSize(1);
    }

    @Test
    void theAdaptersAwsIdentityIsNotATeamsAndPluginsNeedOpening() {
        assertThat(check(TeamReach.CLOSED, "aws-sqs-queue", Map.of("queueURL",
                "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"))).singleElement().asString()
                .startsWith("spec.parameters: aws-sqs-queue needs the team's own AWS keys");
        assertThat(check(TeamReach.CLOSED, "aws-sqs-queue", Map.of("queueURL",
                "https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
                "accessKeyIdFromSecret", Map.of("name", "aws", "key", "id"),
                "secretAccessKeyFromSecret", Map.of("name", "aws", "key", "secret"),
                "awsEndpoint", "http://elasticmq.shop.svc:9324"))).isEmpty();
        assertThat(check(TeamReach.CLOSED, "cron", Map.of("timezone", "UTC"))).isEmpty();
        assertThat(check(TeamReach.CLOSED, "csv", Map.of())).singleElement().asString()
                .isEqualTo("scaler type \"csv\" is not open to DemandMetrics: the reach rule knows where the built-in"
                        + " scalers call, not a plugin's; the platform opens a plugin type with --team-plugin-types");
        assertThat(check(OPENED, "csv", Map.of())).isEmpty();
    }
}
