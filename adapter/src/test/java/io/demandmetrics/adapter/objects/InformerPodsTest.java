package io.demandmetrics.adapter.objects;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.selector.LabelSelector;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A Service's or workload's spec.selector, as a selector the pod informer can match. */
class InformerPodsTest {

    private static GenericKubernetesResource withSelector(Object selector) {
        GenericKubernetesResource object = new GenericKubernetesResource();
        object.setAdditionalProperty("spec", Map.of("selector", selector));
        return object;
    }

    @Test
    void aServicesSelectorIsItsLabels() {
        String selector = InformerPods.selector(withSelector(Map.of("app", "web", "tier", "front")));
        assertThat(selector).isEqualTo("app=web,tier=front");
        assertThat(LabelSelector.parse(selector).matches(Map.of("app", "web", "tier", "front", "x", "y"))).isTrue();
    }

    @Test
    void aWorkloadsSelectorHasLabelsAndExpressions() {
        String selector = InformerPods.selector(withSelector(Map.of(
                "matchLabels", Map.of("app", "web"),
                "matchExpressions", List.of(
                        Map.of("key", "track", "operator", "In", "values", List.of("stable", "canary")),
                        Map.of("key", "legacy", "operator", "DoesNotExist"),
                        Map.of("key", "zone", "operator", "Exists"),
                        Map.of("key", "env", "operator", "NotIn", "values", List.of("dev"))))));
        assertThat(selector).isEqualTo("app=web,track in (stable,canary),!legacy,zone,env notin (dev)");
        LabelSelector parsed = LabelSelector.parse(selector);
        assertThat(parsed.matches(Map.of("app", "web", "track", "canary", "zone", "a", "env", "prod"))).isTrue();
        assertThat(parsed.matches(Map.of("app", "web", "track", "canary", "zone", "a", "legacy", "1"))).isFalse();
    }

    @Test
    void noSelectorIsNull() {
        assertThat(InformerPods.selector(new GenericKubernetesResource())).isNull();
    }
}
