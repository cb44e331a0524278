package io.demandmetrics.adapter.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.config.ConfigParser;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.registry.ScalerRegistry;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DemandMetrics read as config entries: the metric lives in the resource's namespace and is
 * named by it unless {@code metricName} says otherwise; every problem of an invalid one is
 * listed at once; what would reach outside the team's namespace is refused; a name the config
 * file or an older DemandMetric defines is refused with the reason.
 */
class TeamMetricsTest {

    private static final ConfigParser PARSER = parser();
    private static final String CRON = "{type: cron, parameters: {timezone: UTC, start: \"0 8 * * *\","
            + " end: \"0 18 * * *\", desiredReplicas: 4}}";

    @Test
    void aValidSpecIsAMetricInTheResourcesNamespaceNamedByItOrByMetricName() {
        TeamMetric named = TeamMetricReader.read(resource("shop", "business-hours", "uid-1", 1, cron()), PARSER);
        assertThat(named.problems()).isEmpty();
        assertThat(named.definition().key()).isEqualTo(MetricKey.external("shop", "business-hours"));
        assertThat(named.definition().type()).isEqualTo("cron");

        Map<String, Object> spec = cron();
        spec.put("metricName", "office_hours");
        spec.put("pollInterval", "30s");
        TeamMetric renamed = TeamMetricReader.read(resource("shop", "business-hours", "uid-2", 1, spec), PARSER);
        assertThat(renamed.definition().key()).isEqualTo(MetricKey.external("shop", "office_hours"));
        assertThat(renamed.definition().pollInterval()).hasSeconds(30);
    }

    @Test
    void anInvalidSpecListsEveryProblemAndWhatWouldLeaveTheNamespace() {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("type", "prometheus");
        spec.put("describes", "nodes");
        spec.put("pollInterval", "soon");
        spec.put("parameters", Map.of("serverAddress", "https://prometheus.monitoring.svc:9090", "query", "up",
                "threshold", "5", "tls", Map.of("caFile", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
                        "keyPasswordEnv", "AWS_SECRET_ACCESS_KEY"),
                "bearerTokenFile", "/var/run/secrets/kubernetes.io/serviceaccount/token"));
        TeamMetric metric = TeamMetricReader.read(resource("shop", "nodes-up", "uid-3", 2, spec), PARSER);
        assertThat(metric.definition()).isNull();
        assertThat(metric.problems()).anySatisfy(p -> assertThat(p)
                .isEqualTo("spec.describes nodes is cluster-scoped; a DemandMetric describes objects in its own namespace"))
                .anySatisfy(p -> assertThat(p).startsWith("spec.parameters.bearerTokenFile names a file in the"
                        + " adapter's container"))
                .anySatisfy(p -> assertThat(p).startsWith("spec.parameters.tls.caFile names a file"))
                .anySatisfy(p -> assertThat(p).isEqualTo("spec.parameters.tls.keyPasswordEnv names an environment"
                        + " variable of the adapter's; a DemandMetric may not read the adapter's environment: use"
                        + " keyPasswordFromSecret with a Secret of this namespace"))
                .anySatisfy(p -> assertThat(p).contains("field \"spec.pollInterval\""));
    }

    @Test
    void aNameTheFileOrAnOlderDemandMetricDefinesIsRefusedWithTheReason() {
        TeamMetrics team = new TeamMetrics();
        team.put(resource("shop", "orders", "old", 1, cron(), "2026-12-01T00:00:00Z"));
        team.put(resource("shop", "orders", "new", 1, cron(), "2026-12-02T00:00:00Z"));
        team.put(resource("shop", "office", "office", 1, cron(), "2026-12-02T00:00:00Z"));
        List<MetricDefinition> served = team.definitions(PARSER, Set.of(MetricKey.external("shop", "office")));
        assertThat(served).extracting(MetricDefinition::key).containsExactly(MetricKey.external("shop", "orders"));
        assertThat(team.outcomes().get("old").served()).isTrue();
        assertThat(team.outcomes().get("new").reason()).isEqualTo("NameConflict");
        assertThat(team.outcomes().get("new").problems()).containsExactly("metric \"shop/orders\" (type \"cron\") is"
                + " defined by DemandMetric shop/orders, which is older");
        assertThat(team.outcomes().get("office").problems()).containsExactly("metric \"shop/office\" (type \"cron\")"
                + " is defined in the adapter's config file, which wins");
        assertThat(team.definedBy(MetricKey.external("shop", "orders")).metric().id().uid()).isEqualTo("old");

        team.remove(resource("shop", "orders", "old", 1, cron(), "2026-12-01T00:00:00Z"));
        team.definitions(PARSER, Set.of());
        assertThat(team.definedBy(MetricKey.external("shop", "orders")).metric().id().uid())
                .as("the newer one served once the older is gone").isEqualTo("new");
    }

    @Test
    void aCredentialFromASecretOfTheNamespaceBecomesTheFileTheScalerReads(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "t0ken");
        List<String> asked = new ArrayList<>();
        TeamMetricReader.SecretKeyFiles secrets = (namespace, name, key) -> {
            asked.add(namespace + "/" + name + ":" + key);
            return name.equals("prometheus-auth") ? new TeamSecrets.Resolved(token, null)
                    : new TeamSecrets.Resolved(null, "Secret " + namespace + "/" + name + " does not exist");
        };
        Map<String, Object> spec = prometheus(Map.of("bearerTokenFromSecret",
                Map.of("name", "prometheus-auth", "key", "token")));
        TeamMetric metric = TeamMetricReader.read(resource("shop", "queue", "uid-s", 1, spec), PARSER, secrets,
                TeamReach.CLOSED);
        assertThat(metric.problems()).isEmpty();
        assertThat(metric.definition().parameters()).containsEntry("bearerTokenFile", token.toString())
                .doesNotContainKey("bearerTokenFromSecret");
        assertThat(metric.credentials()).containsExactly(token);
        assertThat(asked).containsExactly("shop/prometheus-auth:token");
        assertThat(TeamMetricReader.namesSecrets(resource("shop", "queue", "uid-s", 1, spec))).isTrue();
        assertThat(TeamMetricReader.namesSecrets(resource("shop", "hours", "uid-c", 1, cron()))).isFalse();
    }

    @Test
    void aSecretElsewhereOrUnreadableOrMisnamedIsRefusedWithEveryReason() {
        TeamMetricReader.SecretKeyFiles secrets = (namespace, name, key) ->
                new TeamSecrets.Resolved(null, "Secret " + namespace + "/" + name + " does not exist");
        Map<String, Object> spec = prometheus(Map.of(
                "bearerTokenFromSecret", Map.of("name", "auth", "key", "token", "namespace", "monitoring"),
                "caFromSecret", Map.of("name", "ca"), "certFromSecret", Map.of("name", "client", "key", "tls.crt")));
        TeamMetric metric = TeamMetricReader.read(resource("shop", "queue", "uid-t", 1, spec), PARSER, secrets,
                TeamReach.CLOSED);
        assertThat(metric.definition()).isNull();
        assertThat(metric.problems()).containsExactlyInAnyOrder(
                "spec.parameters.bearerTokenFromSecret has fields other than name and key; a DemandMetric takes"
                        + " credentials from Secrets of its own namespace (shop) only",
                "spec.parameters.caFromSecret must be {name: <a Secret of namespace shop>, key: <one of its keys>}",
                "spec.parameters.certFromSecret: Secret shop/client does not exist");
        // Without Secrets to read from (a reader for none): said, not silently dropped.
        TeamMetric none = TeamMetricReader.read(resource("shop", "queue", "uid-u", 1, prometheus(Map.of(
                "bearerTokenFromSecret", Map.of("name", "auth", "key", "token")))), PARSER);
        assertThat(none.problems()).containsExactly("spec.parameters.bearerTokenFromSecret: this adapter reads no"
                + " Secrets");
    }

    @Test
    void theExampleWithACredentialIsValid(@TempDir Path dir) throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "change-me");
        String[] documents = Files.readString(Path.of("..", "deploy", "examples", "demandmetric-credentials.yaml"))
                .split("\n---\n");
        Map<String, Object> example = new org.yaml.snakeyaml.Yaml().load(documents[2]);
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) example.get("spec");
        TeamMetric metric = TeamMetricReader.read(resource("shop", "checkout-lag", "uid-e", 1, spec), PARSER,
                (namespace, name, key) -> new TeamSecrets.Resolved(password, null), TeamReach.CLOSED);
        assertThat(metric.problems()).isEmpty();
        assertThat(metric.definition().type()).isEqualTo("kafka-lag");
    }

    private static Map<String, Object> prometheus(Map<String, Object> extra) {
        Map<String, Object> parameters = new LinkedHashMap<>(Map.of("serverAddress",
                "http://prometheus.shop.svc:9090", "query", "sum(queue_depth)"));
        parameters.putAll(extra);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("type", "prometheus");
        spec.put("parameters", parameters);
        return spec;
    }

    private static ConfigParser parser() {
        try {
            return new ConfigParser(ScalerRegistry.load(null, w -> { }));
        } catch (io.demandmetrics.adapter.registry.RegistryException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> cron() {
        return new LinkedHashMap<>(new org.yaml.snakeyaml.Yaml().<Map<String, Object>>load(CRON));
    }

    static GenericKubernetesResource resource(String namespace, String name, String uid, long generation,
                                              Map<String, Object> spec) {
        return resource(namespace, name, uid, generation, spec, "2026-12-01T00:00:00Z");
    }

    static GenericKubernetesResource resource(String namespace, String name, String uid, long generation,
                                              Map<String, Object> spec, String created) {
        GenericKubernetesResource resource = new GenericKubernetesResource();
        resource.setApiVersion("demandmetrics.io/v1alpha1");
        resource.setKind("DemandMetric");
        resource.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withUid(uid)
                .withGeneration(generation).withResourceVersion(uid + "-" + generation).withCreationTimestamp(created)
                .build());
        resource.setAdditionalProperty("spec", spec);
        return resource;
    }
}
