package io.demandmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.config.ConfigParser;
import io.demandmetrics.adapter.registry.ScalerRegistry;
import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.demandmetrics.adapter.replicas.PeerAuthenticator;
import io.demandmetrics.adapter.replicas.ReplicaOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The manifests users apply: deploy/ renders with {@code kubectl kustomize}, every object
 * parses into fabric8's typed model with no unknown field, and the settings that matter
 * (namespaces, probes, RBAC, APIService priorities, HPA behaviour) are what the README says.
 */
class ManifestsTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theKustomizeBaseRendersIntoKnownTypedObjects() throws Exception {
        List<HasMetadata> objects = Manifests.render(REPO.resolve("deploy"));
        assertThat(objects).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).containsExactlyInAnyOrder(
                "Namespace/demand-metrics", "ServiceAccount/demand-metrics-adapter",
                "ClusterRole/demand-metrics-adapter-object-reader", "ClusterRole/demand-metrics-reader",
                "RoleBinding/demand-metrics-adapter-auth-reader",
                "ClusterRoleBinding/demand-metrics-adapter-object-reader",
                "ClusterRoleBinding/demand-metrics-adapter:system:auth-delegator",
                "ClusterRoleBinding/demand-metrics-reader:horizontal-pod-autoscaler",
                "ConfigMap/demand-metrics-adapter-config", "Service/demand-metrics-adapter",
                "Deployment/demand-metrics-adapter", "PodDisruptionBudget/demand-metrics-adapter",
                "Role/demand-metrics-adapter-leases", "RoleBinding/demand-metrics-adapter-leases",
                "NetworkPolicy/demand-metrics-adapter",
                "CustomResourceDefinition/demandmetrics.demandmetrics.io",
                "ClusterRole/demand-metrics-adapter-demandmetrics", "ClusterRoleBinding/demand-metrics-adapter-demandmetrics",
                "ClusterRole/demandmetrics-edit", "ClusterRole/demandmetrics-view",
                "ClusterRole/demandmetrics-read-credentials");

        RoleBinding authReader = Manifests.find(objects, RoleBinding.class, "demand-metrics-adapter-auth-reader");
        assertThat(authReader.getMetadata().getNamespace()).isEqualTo("kube-system");
        assertThat(authReader.getRoleRef().getName()).isEqualTo("extension-apiserver-authentication-reader");
        assertThat(Manifests.find(objects, ClusterRoleBinding.class, "demand-metrics-adapter:system:auth-delegator")
                .getRoleRef().getName()).isEqualTo("system:auth-delegator");
        ClusterRoleBinding hpa = Manifests.find(objects, ClusterRoleBinding.class, "demand-metrics-reader:horizontal-pod-autoscaler");
        assertThat(hpa.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo("horizontal-pod-autoscaler");
            assertThat(s.getNamespace()).isEqualTo("kube-system");
        });

        Deployment deployment = Manifests.find(objects, Deployment.class, "demand-metrics-adapter");
        assertThat(deployment.getMetadata().getNamespace()).isEqualTo("demand-metrics");
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        var pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        var container = pod.getContainers().get(0);
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getResources().getLimits()).containsKey("memory");
        assertThat(container.getArgs()).contains("--tls-cert-file=/etc/demand-adapter/tls/tls.crt")
                .noneMatch(a -> a.startsWith("--standalone"));
        assertThat(pod.getTopologySpreadConstraints()).singleElement()
                .satisfies(t -> assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
        replicasSharePolling(objects, pod, container);

        Service service = Manifests.find(objects, Service.class, "demand-metrics-adapter");
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(443);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("https");
        });

        ConfigMap config = Manifests.find(objects, ConfigMap.class, "demand-metrics-adapter-config");
        new ConfigParser(ScalerRegistry.load(null, w -> { })).parse(config.getData().get("config.yaml"));
    }

    /**
     * The replicas share the polling: Leases in the adapter's namespace only, the peer port
     * open to the adapter's pods only, the token projected for the peer audience where
     * --peer-token-file's default looks, and the downward API giving name, namespace and IP.
     */
    private static void replicasSharePolling(List<HasMetadata> objects, io.fabric8.kubernetes.api.model.PodSpec pod,
                                             io.fabric8.kubernetes.api.model.Container container) {
        Role leases = Manifests.find(objects, Role.class, "demand-metrics-adapter-leases");
        assertThat(leases.getMetadata().getNamespace()).isEqualTo("demand-metrics");
        assertThat(leases.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("coordination.k8s.io");
            assertThat(rule.getResources()).containsExactly("leases");
        });
        assertThat(Manifests.find(objects, RoleBinding.class, "demand-metrics-adapter-leases").getMetadata()
                .getNamespace()).isEqualTo("demand-metrics");
        assertThat(container.getArgs()).contains("--replica-buckets=32", "--peer-port=6444");
        assertThat(container.getPorts()).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo("peers");
            assertThat(p.getContainerPort()).isEqualTo(6444);
        });
        assertThat(container.getEnv()).extracting(e -> e.getName() + "=" + e.getValueFrom().getFieldRef().getFieldPath())
                .containsExactlyInAnyOrder("POD_NAME=metadata.name", "POD_NAMESPACE=metadata.namespace",
                        "POD_IP=status.podIP");
        var mount = container.getVolumeMounts().stream().filter(m -> m.getName().equals("peer-token")).findFirst()
                .orElseThrow();
        var token = pod.getVolumes().stream().filter(v -> v.getName().equals("peer-token")).findFirst().orElseThrow()
                .getProjected().getSources().get(0).getServiceAccountToken();
        assertThat(Path.of(mount.getMountPath()).resolve(token.getPath()))
                .isEqualTo(ReplicaOptions.OFF.peerTokenFile());
        assertThat(token.getAudience()).isEqualTo(PeerAuthenticator.AUDIENCE);
        NetworkPolicy policy = Manifests.find(objects, NetworkPolicy.class, "demand-metrics-adapter");
        assertThat(policy.getSpec().getIngress()).anySatisfy(rule -> {
            assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("peers"));
            assertThat(rule.getFrom()).singleElement().satisfies(from -> assertThat(from.getPodSelector().getMatchLabels())
                    .containsEntry("app.kubernetes.io/name", "demand-metrics-adapter"));
        });
    }

    /**
     * The README's installs beside KEDA and beside prometheus-adapter: the base plus an RBAC file
     * that lets the adapter's service account get the forwarded groups' metrics (what the backend
     * checks when the adapter asks it), and a config that forwards those groups to the backend's
     * Service, trusting its CA: read from its APIService and saved in a shipped ConfigMap (KEDA),
     * or from a file the Deployment mounts (prometheus-adapter).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "beside-keda|https://keda-operator-metrics-apiserver.keda.svc:443|external.metrics.k8s.io",
        "beside-prometheus-adapter|https://prometheus-adapter.monitoring.svc:443|custom.metrics.k8s.io,external.metrics.k8s.io",
    })
    void theBesideExamplesRenderWithTheirRbacAndAForwardingConfig(String example, String url, String groups,
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        List<String> forwarded = List.of(groups.split(","));
        List<HasMetadata> objects = Manifests.render(REPO.resolve("examples").resolve(example));
        ClusterRoleBinding binding = Manifests.find(objects, ClusterRoleBinding.class, "demand-metrics-adapter-forward");
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getKind()).isEqualTo("ServiceAccount");
            assertThat(subject.getName()).isEqualTo("demand-metrics-adapter");
            assertThat(subject.getNamespace()).isEqualTo("demand-metrics");
        });
        ClusterRole role = Manifests.find(objects, ClusterRole.class, binding.getRoleRef().getName());
        assertThat(role.getRules()).filteredOn(rule -> rule.getApiGroups().stream().anyMatch(forwarded::contains))
                .singleElement().satisfies(rule -> {
                    assertThat(rule.getApiGroups()).containsExactlyInAnyOrderElementsOf(forwarded);
                    assertThat(rule.getVerbs()).contains("get");
                });

        String text = Manifests.find(objects, ConfigMap.class, "demand-metrics-adapter-config").getData()
                .get("config.yaml");
        String parsable = text;
        var caMount = Manifests.find(objects, Deployment.class, "demand-metrics-adapter").getSpec().getTemplate()
                .getSpec().getContainers().get(0).getVolumeMounts().stream()
                .filter(m -> m.getName().equals("forward-ca")).findFirst();
        if (caMount.isPresent()) {
            String caFile = caMount.get().getMountPath() + "/ca.crt";
            assertThat(text).contains("caFile: " + caFile);
            // Parsed as the adapter parses it, the CA where the volume would put it.
            parsable = text.replace(caFile, Files.writeString(dir.resolve("ca.crt"), "PEM").toString());
        }
        var forward = new ConfigParser(ScalerRegistry.load(null, w -> { })).parse(parsable).forward();
        assertThat(forward).singleElement().satisfies(backend -> {
            assertThat(backend.url()).hasToString(url);
            assertThat(backend.groups()).containsExactlyElementsOf(forwarded);
            if (backend.caFromApiService() != null) {
                assertCaFromApiServiceIsGranted(objects, role, backend.caFromApiService());
            } else {
                assertThat(backend.caFile()).as("a CA from a file, or from the cluster").isNotNull();
            }
        });
    }

    /**
     * What {@code caFromAPIService} needs and no more: {@code get} on that APIService, and
     * {@code get}/{@code patch} on the shipped ConfigMap of saved CAs in the adapter's namespace
     * (no {@code create}: it is shipped).
     */
    private static void assertCaFromApiServiceIsGranted(List<HasMetadata> objects, ClusterRole role, String apiService) {
        assertThat(role.getRules()).filteredOn(rule -> rule.getApiGroups().contains("apiregistration.k8s.io"))
                .singleElement().satisfies(rule -> {
                    assertThat(rule.getResources()).containsExactly("apiservices");
                    assertThat(rule.getResourceNames()).containsExactly(apiService);
                    assertThat(rule.getVerbs()).containsExactly("get");
                });
        ConfigMap saved = Manifests.find(objects, ConfigMap.class, "demand-metrics-adapter-forward-ca");
        assertThat(saved.getMetadata().getNamespace()).isEqualTo("demand-metrics");
        var binding = Manifests.find(objects, io.fabric8.kubernetes.api.model.rbac.RoleBinding.class,
                "demand-metrics-adapter-forward-ca");
        assertThat(binding.getMetadata().getNamespace()).isEqualTo("demand-metrics");
        assertThat(binding.getSubjects()).singleElement()
                .satisfies(subject -> assertThat(subject.getName()).isEqualTo("demand-metrics-adapter"));
        var savedRole = Manifests.find(objects, io.fabric8.kubernetes.api.model.rbac.Role.class,
                binding.getRoleRef().getName());
        assertThat(savedRole.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getResources()).containsExactly("configmaps");
            assertThat(rule.getResourceNames()).containsExactly("demand-metrics-adapter-forward-ca");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "patch");
        });
    }

    /**
     * The DemandMetric CRD as kubectl shows it and the API server checks it: namespaced, the
     * status subresource, the printer columns (type, value, readiness, age), the schema's
     * required type and CEL rule; the adapter may watch DemandMetrics and patch their status
     * only; editors and viewers of a namespace get DemandMetrics through aggregation.
     */
    @Test
    void theDemandMetricCrdAndItsRbac() throws Exception {
        List<HasMetadata> objects = Manifests.render(REPO.resolve("deploy"));
        var crd = Manifests.find(objects, io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class,
                "demandmetrics.demandmetrics.io");
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo("DemandMetric");
        var version = crd.getSpec().getVersions().get(0);
        assertThat(version.getName()).isEqualTo("v1alpha1");
        assertThat(version.getSubresources().getStatus()).isNotNull();
        assertThat(version.getAdditionalPrinterColumns()).extracting(c -> c.getName() + "=" + c.getJsonPath())
                .containsExactly("Type=.spec.type", "Value=.status.value",
                        "Ready=.status.conditions[?(@.type==\"Ready\")].status",
                        "Reason=.status.conditions[?(@.type==\"Ready\")].reason", "Age=.metadata.creationTimestamp");
        var spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertThat(spec.getRequired()).containsExactly("type");
        assertThat(spec.getProperties()).containsKeys("metricName", "type", "describes", "object", "parameters",
                "pollInterval", "timeout", "maxAge", "fallback", "lead").doesNotContainKey("namespace");
        assertThat(spec.getXKubernetesValidations()).anySatisfy(rule -> assertThat(rule.getRule())
                .contains("has(self.object)"));

        ClusterRole adapterRole = Manifests.find(objects, ClusterRole.class, "demand-metrics-adapter-demandmetrics");
        assertThat(adapterRole.getRules()).extracting(r -> r.getResources() + " " + r.getVerbs()).containsExactly(
                "[demandmetrics] [get, list, watch]", "[demandmetrics/status] [patch]");
        assertThat(Manifests.find(objects, ClusterRole.class, "demandmetrics-edit").getMetadata().getLabels())
                .containsEntry("rbac.authorization.k8s.io/aggregate-to-edit", "true");
        assertThat(Manifests.find(objects, ClusterRole.class, "demandmetrics-view").getMetadata().getLabels())
                .containsEntry("rbac.authorization.k8s.io/aggregate-to-view", "true");

        // Secrets: a role a namespace binds for itself; deploy/ grants no Secret anywhere.
        ClusterRole credentials = Manifests.find(objects, ClusterRole.class, "demandmetrics-read-credentials");
        assertThat(credentials.getRules()).extracting(r -> r.getApiGroups() + " " + r.getResources() + " "
                + r.getVerbs()).containsExactly("[] [secrets] [get, list, watch]");
        assertThat(credentials.getMetadata().getLabels().keySet()).as("aggregated nowhere")
                .noneMatch(label -> label.startsWith("rbac.authorization.k8s.io/aggregate-to-"));
        assertThat(objects).filteredOn(o -> o instanceof ClusterRoleBinding || o instanceof RoleBinding)
                .noneSatisfy(binding -> assertThat(binding instanceof ClusterRoleBinding crb
                        ? crb.getRoleRef().getName() : ((RoleBinding) binding).getRoleRef().getName())
                        .isEqualTo("demandmetrics-read-credentials"));
        assertThat(objects).filteredOn(o -> o instanceof ClusterRole || o instanceof io.fabric8.kubernetes.api
                        .model.rbac.Role).filteredOn(o -> !o.getMetadata().getName().equals("demandmetrics-read-credentials"))
                .allSatisfy(role -> assertThat(rules(role)).noneMatch(r -> r.getResources().contains("secrets")));
        var pod = Manifests.find(objects, Deployment.class, "demand-metrics-adapter").getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getArgs()).contains("--credentials-dir=/var/run/demand-adapter/credentials");
        assertThat(pod.getContainers().get(0).getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("credentials");
            assertThat(m.getMountPath()).isEqualTo("/var/run/demand-adapter/credentials");
        });
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("credentials")).singleElement()
                .satisfies(v -> assertThat(v.getEmptyDir().getMedium()).as("never on a node's disk").isEqualTo("Memory"));

        // The example: a labelled Secret, the binding in its namespace, a DemandMetric naming it.
        String[] documents = Files.readString(REPO.resolve("deploy/examples/demandmetric-credentials.yaml"))
                .split("\n---\n");
        assertThat(documents).hasSize(3);
        List<HasMetadata> example = Manifests.typed(documents[0] + "\n---\n" + documents[1]);
        assertThat(example).extracting(HasMetadata::getKind).containsExactly("Secret", "RoleBinding");
        assertThat(example.get(0).getMetadata().getLabels()).containsEntry("demandmetrics.io/credentials", "true");
        Map<String, Object> demandMetric = new org.yaml.snakeyaml.Yaml().load(documents[2]);
        assertThat(demandMetric).containsEntry("kind", "DemandMetric");
        assertThat(demandMetric.toString()).contains("passwordFromSecret={name=kafka-checkout, key=password}");
        RoleBinding grant = (RoleBinding) example.get(1);
        assertThat(grant.getMetadata().getNamespace()).isEqualTo(example.get(0).getMetadata().getNamespace());
        assertThat(grant.getRoleRef().getName()).isEqualTo("demandmetrics-read-credentials");
        assertThat(grant.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo("demand-metrics-adapter");
            assertThat(s.getNamespace()).isEqualTo("demand-metrics");
        });
    }

    private static List<io.fabric8.kubernetes.api.model.rbac.PolicyRule> rules(HasMetadata role) {
        return role instanceof ClusterRole clusterRole ? clusterRole.getRules()
                : ((io.fabric8.kubernetes.api.model.rbac.Role) role).getRules();
    }

    @Test
    void theApiServicesRegisterBothGroupsWithTheRightPriorities() throws Exception {
        List<HasMetadata> objects = Manifests.typed(Files.readString(REPO.resolve("apiservice.yaml")));
        assertThat(objects).hasSize(3).allSatisfy(o -> {
            APIService service = (APIService) o;
            assertThat(service.getSpec().getService().getName()).isEqualTo("demand-metrics-adapter");
            assertThat(service.getSpec().getService().getNamespace()).isEqualTo("demand-metrics");
            assertThat(service.getSpec().getService().getPort()).isEqualTo(443);
            assertThat(service.getSpec().getGroupPriorityMinimum()).isEqualTo(100);
            assertThat(service.getSpec().getInsecureSkipTLSVerify()).isNotEqualTo(Boolean.TRUE);
        });
        assertThat(objects).extracting(o -> o.getMetadata().getName() + "=" + ((APIService) o).getSpec()
                .getVersionPriority()).containsExactlyInAnyOrder("v1beta2.custom.metrics.k8s.io=200",
                "v1beta1.custom.metrics.k8s.io=100", "v1beta1.external.metrics.k8s.io=100");
    }

    @Test
    void theExampleHpasUseTheRecommendedBehaviour() throws Exception {
        List<Path> examples;
        try (Stream<Path> files = Files.list(REPO.resolve("deploy/examples"))) {
            examples = files.filter(f -> f.getFileName().toString().startsWith("hpa-")).sorted().toList();
        }
        assertThat(examples).isNotEmpty();
        for (Path example : examples) {
            HorizontalPodAutoscaler hpa = (HorizontalPodAutoscaler) Manifests.typed(Files.readString(example)).get(0);
            assertThat(hpa.getSpec().getMinReplicas()).as(example.toString()).isEqualTo(2);
            var down = hpa.getSpec().getBehavior().getScaleDown();
            assertThat(down.getStabilizationWindowSeconds()).isEqualTo(600);
            assertThat(down.getPolicies()).singleElement().satisfies(p -> {
                assertThat(p.getType()).isEqualTo("Percent");
                assertThat(p.getValue()).isEqualTo(25);
                assertThat(p.getPeriodSeconds()).isEqualTo(60);
            });
            assertThat(hpa.getSpec().getBehavior().getScaleUp().getStabilizationWindowSeconds()).isZero();
        }
    }

    /**
     * The example as bin/run-standalone serves it. Its rps and latency metrics name the
     * adapter's own certificate (made at startup, before the config is parsed) as their CA:
     * here a readable stand-in file takes that path's place.
     */
    @Test
    void theBundledStandaloneConfigIsValid(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String example = Files.readString(REPO.resolve("deploy/examples/standalone.yaml"));
        assertThat(example).contains("caFile: .run/certs/apiserver.crt");
        Path ca = Files.writeString(dir.resolve("apiserver.crt"), "stands in for the generated certificate");
        var config = new ConfigParser(ScalerRegistry.load(null, w -> { }))
                .parse(example.replace(".run/certs/apiserver.crt", ca.toString()));
        assertThat(config.metrics()).extracting(m -> m.type()).contains("cron", "rps", "latency");
    }
}
