package io.demandmetrics.hpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandmetrics.hpa.HpaSpec.Policy;
import io.demandmetrics.hpa.HpaSpec.PolicyType;
import io.demandmetrics.hpa.HpaSpec.SelectPolicy;
import io.demandmetrics.hpa.HpaSpec.TargetType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HPA manifests as users apply them: the API server's defaults, and what it would refuse, named. */
class HpaManifestTest {

    @Test
    void theRepositorysExampleHpasAreRead() throws Exception {
        Path examples = Path.of("..", "deploy", "examples");
        try (var files = Files.list(examples)) {
            List<Path> hpas = files.filter(f -> f.getFileName().toString().startsWith("hpa-")).sorted().toList();
            assertThat(hpas).isNotEmpty();
            for (Path file : hpas) {
                HpaSpec spec = HpaManifest.parse(Files.readString(file));
                assertThat(spec.minReplicas()).as(file.toString()).isEqualTo(2);
                assertThat(spec.behavior().scaleDown().stabilizationWindowSeconds()).isEqualTo(600);
                assertThat(spec.behavior().scaleDown().policies()).containsExactly(
                        new Policy(PolicyType.PERCENT, 25, 60));
            }
        }
        HpaSpec rps = HpaManifest.parse(Files.readString(examples.resolve("hpa-rps.yaml")));
        assertThat(rps.metrics()).containsExactly(new HpaSpec.PodsMetric("http_requests_per_second", 500_000));
        assertThat(rps.behavior().scaleUp().selectPolicy()).isEqualTo(SelectPolicy.MAX);
    }

    @Test
    void defaultsFillWhatIsUnset() {
        HpaSpec spec = HpaManifest.parse("""
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: web}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  maxReplicas: 5
                  metrics:
                    - type: Resource
                      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
                    - type: Object
                      object:
                        describedObject: {apiVersion: v1, kind: Service, name: web}
                        metric: {name: p99_latency_seconds}
                        target: {type: Value, value: 250m}
                  behavior:
                    scaleDown: {selectPolicy: Min}
                """);
        assertThat(spec.minReplicas()).isEqualTo(1);
        assertThat(spec.metrics()).containsExactly(new HpaSpec.ResourceMetric("cpu", TargetType.UTILIZATION, 70),
                new HpaSpec.ObjectMetric("p99_latency_seconds", TargetType.VALUE, 250));
        assertThat(spec.behavior().scaleUp()).isEqualTo(HpaSpec.ScalingRules.defaultScaleUp());
        assertThat(spec.behavior().scaleDown().selectPolicy()).isEqualTo(SelectPolicy.MIN);
        assertThat(spec.behavior().scaleDown().stabilizationWindowSeconds()).isNull();
        assertThat(spec.behavior().scaleDown().policies()).containsExactly(new Policy(PolicyType.PERCENT, 100, 15));
    }

    @Test
    void whatTheApiServerWouldRefuseIsNamed() {
        assertThatThrownBy(() -> HpaManifest.parse("""
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: web}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  minReplicas: 6
                  maxReplicas: 5
                  metrics:
                    - type: Pods
                      pods: {metric: {name: rps}, target: {type: Value, value: "1"}}
                  behavior:
                    scaleUp: {policies: [{type: Pods, value: 0, periodSeconds: 4000}]}
                """)).isInstanceOf(IllegalArgumentException.class).hasMessage(
                "spec.minReplicas (6) must be at most spec.maxReplicas (5); spec.metrics[0].pods.target must be"
                        + " {type: AverageValue, averageValue: ...}; spec.behavior.scaleUp.policies: value must be"
                        + " positive; spec.behavior.scaleUp.policies: periodSeconds must be from 1 to 1800");
        assertThatThrownBy(() -> HpaManifest.parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"))
                .hasMessageStartingWith("not a HorizontalPodAutoscaler of autoscaling/v2");
        assertThatThrownBy(() -> HpaManifest.parse("""
                apiVersion: autoscaling/v1
                kind: HorizontalPodAutoscaler
                metadata: {name: web}
                spec: {maxReplicas: 3, scaleTargetRef: {kind: Deployment, name: web}, targetCPUUtilizationPercentage: 70}
                """)).hasMessageContaining("write the HPA as autoscaling/v2");
        assertThatThrownBy(() -> HpaManifest.parse(": : not yaml [")).hasMessageStartingWith("not a Kubernetes object");
    }

    @Test
    void theSimulatedLeadIsReadFromItsAnnotation() throws Exception {
        HpaSpec lead = HpaManifest.parse(Files.readString(Path.of("..", "examples", "simulator", "hpa-rps-lead.yaml")));
        assertThat(lead.adapterLead()).isEqualTo(java.time.Duration.ofSeconds(60));
        assertThatThrownBy(() -> HpaManifest.parse("""
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: web, annotations: {simulate.demandmetrics.io/lead: soon}}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  maxReplicas: 5
                  metrics: [{type: Pods, pods: {metric: {name: rps}, target: {type: AverageValue, averageValue: "1"}}}]
                """)).hasMessage("metadata.annotations[simulate.demandmetrics.io/lead] must be a duration such as 60s"
                + " or 2m");
    }

    @Test
    void quantitiesAreReadAsTheControllerReadsThem() {
        assertThat(HpaManifest.milli(new io.fabric8.kubernetes.api.model.Quantity("250m"))).isEqualTo(250);
        assertThat(HpaManifest.milli(new io.fabric8.kubernetes.api.model.Quantity("1.5k"))).isEqualTo(1_500_000);
        // MilliValue rounds up: 0.0001 is 1 thousandth
        assertThat(HpaManifest.milli(new io.fabric8.kubernetes.api.model.Quantity("100u"))).isEqualTo(1);
    }
}
