package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The Deployment's container started with podman as a kubelet would start it, from the rendered
 * manifest: its image, args, env, user and group, read-only root, dropped capabilities, no
 * privilege escalation, memory limit, env (values and the downward API's name, namespace and
 * IP) and volumes (ConfigMaps and Secrets as read-only directories, emptyDirs as tmpfs,
 * projected service-account tokens as files holding the mock API's token for that audience),
 * plus what the kubelet adds: the service account's token, CA and namespace, and
 * {@code KUBERNETES_SERVICE_HOST}/{@code _PORT}.
 *
 * <p>One thing differs, because the container shares the host's network with other tests: the
 * {@code --secure-port} and {@code --peer-port} arguments are replaced by free ports. A setting
 * this class cannot translate (a command, envFrom, a lifecycle hook, an init container, an env
 * var from a reference other than those fields) fails the test, so that a new manifest field is
 * never silently left out.
 */
final class DeploymentContainer implements AutoCloseable {

    static final String SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

    /** The tokens the kubelet would project, by audience: the mock API's peer token. */
    private static final Map<String, String> PROJECTED_TOKENS = Map.of(
            io.demandmetrics.adapter.replicas.PeerAuthenticator.AUDIENCE, MockCluster.PEER_TOKEN);

    final String name = "demand-adapter-it-" + UUID.randomUUID().toString().substring(0, 8);
    final int port;
    final Container container;
    private final List<String> runArgs;

    /**
     * @param image the image to run instead of the manifest's, or null for the manifest's
     * @param configMaps the ConfigMaps the pod mounts, by name (the rendered ones, or a team's)
     * @param secrets for each Secret the pod mounts, a directory holding its files
     * @param serviceAccount a directory with the service account's token, ca.crt and namespace
     * @param apiHost the Kubernetes API's host and port, as the kubelet's environment gives them
     */
    DeploymentContainer(Deployment deployment, String image, Map<String, ConfigMap> configMaps,
                        Map<String, Path> secrets, Path serviceAccount, String apiHost, int apiPort, Path dir,
                        int port) throws Exception {
        this.port = port;
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getInitContainers()).as("init containers").isNullOrEmpty();
        assertThat(pod.getContainers()).hasSize(1);
        container = pod.getContainers().get(0);
        assertThat(container.getCommand()).as("command (the image's entrypoint is used)").isNullOrEmpty();
        assertThat(container.getEnvFrom()).as("envFrom").isNullOrEmpty();
        assertThat(container.getLifecycle()).as("lifecycle hooks").isNull();
        assertThat(container.getWorkingDir()).as("workingDir").isNull();

        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name, "--network", "host"));
        PodSecurityContext podSecurity = pod.getSecurityContext();
        SecurityContext security = container.getSecurityContext();
        Long user = first(security.getRunAsUser(), podSecurity.getRunAsUser());
        Long group = first(security.getRunAsGroup(), podSecurity.getRunAsGroup());
        assertThat(user).as("runAsUser").isNotNull().isNotZero();
        args.addAll(List.of("--user", user + ":" + group));
        if (Boolean.TRUE.equals(security.getReadOnlyRootFilesystem())) {
            args.add("--read-only");
        }
        if (Boolean.FALSE.equals(security.getAllowPrivilegeEscalation())) {
            args.addAll(List.of("--security-opt", "no-new-privileges"));
        }
        if (security.getCapabilities() != null) {
            security.getCapabilities().getDrop().forEach(c -> args.add("--cap-drop=" + c));
            security.getCapabilities().getAdd().forEach(c -> args.add("--cap-add=" + c));
        }
        Quantity memory = container.getResources().getLimits().get("memory");
        if (memory != null) {
            args.addAll(List.of("--memory", Quantity.getAmountInBytes(memory).toBigInteger().toString()));
        }
        for (EnvVar env : Objects.requireNonNullElse(container.getEnv(), List.<EnvVar>of())) {
            args.addAll(List.of("-e", env.getName() + "=" + envValue(env, deployment)));
        }
        args.addAll(List.of("-e", "KUBERNETES_SERVICE_HOST=" + apiHost, "-e", "KUBERNETES_SERVICE_PORT=" + apiPort,
                "-v", serviceAccount + ":" + SERVICE_ACCOUNT_DIR + ":ro"));
        for (VolumeMount mount : container.getVolumeMounts()) {
            Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
                    .orElseThrow(() -> new AssertionError("no volume " + mount.getName()));
            String mode = Boolean.TRUE.equals(mount.getReadOnly()) ? ":ro" : "";
            if (volume.getConfigMap() != null) {
                ConfigMap configMap = configMaps.get(volume.getConfigMap().getName());
                assertThat(configMap).as("ConfigMap %s", volume.getConfigMap().getName()).isNotNull();
                Path files = Files.createDirectories(dir.resolve("configmap-" + volume.getName()));
                for (var entry : configMap.getData().entrySet()) {
                    Podman.writeReadable(files.resolve(entry.getKey()), entry.getValue());
                }
                args.addAll(List.of("-v", files + ":" + mount.getMountPath() + mode));
            } else if (volume.getSecret() != null) {
                Path files = secrets.get(volume.getSecret().getSecretName());
                assertThat(files).as("Secret %s", volume.getSecret().getSecretName()).isNotNull();
                args.addAll(List.of("-v", files + ":" + mount.getMountPath() + mode));
            } else if (volume.getProjected() != null) {
                Path files = Files.createDirectories(dir.resolve("projected-" + volume.getName()));
                for (var source : volume.getProjected().getSources()) {
                    var token = source.getServiceAccountToken();
                    assertThat(token).as("projected volume %s: only service-account tokens", volume.getName()).isNotNull();
                    String issued = PROJECTED_TOKENS.get(token.getAudience());
                    assertThat(issued).as("a token for audience %s", token.getAudience()).isNotNull();
                    Podman.writeReadable(files.resolve(token.getPath()), issued);
                }
                args.addAll(List.of("-v", files + ":" + mount.getMountPath() + ":ro"));
            } else if (volume.getEmptyDir() != null) {
                Quantity size = volume.getEmptyDir().getSizeLimit();
                args.addAll(List.of("--tmpfs", mount.getMountPath() + ":rw,mode=1777"
                        + (size == null ? "" : ",size=" + Quantity.getAmountInBytes(size).toBigInteger())));
            } else {
                throw new AssertionError("volume " + volume.getName() + " of a kind this test cannot mount");
            }
        }
        args.add(image != null ? image : container.getImage());
        int peerPort = TestAdapters.freePort();
        while (peerPort == port) { // a port just released can be handed out again (TestAdapters.twoFreePorts)
            peerPort = TestAdapters.freePort();
        }
        args.addAll(servingArgs(container.getArgs(), securePort(container), port, peerPort));
        runArgs = List.copyOf(args);
    }

    /** The port the manifest's args serve on. */
    static int securePort(Container container) {
        List<String> flags = container.getArgs().stream().filter(a -> a.startsWith("--secure-port=")).toList();
        assertThat(flags).as("one --secure-port=N argument").hasSize(1);
        return Integer.parseInt(flags.get(0).substring("--secure-port=".length()));
    }

    DeploymentContainer start() throws Exception {
        Podman.run(runArgs.toArray(String[]::new)).ok();
        return this;
    }

    String url(String path) {
        return "https://127.0.0.1:" + port + path;
    }

    /** The container's main process as the host sees it (/proc/PID). */
    long pid() throws Exception {
        return Long.parseLong(Podman.run("inspect", "-f", "{{.State.Pid}}", name).ok().stdout().strip());
    }

    /** Running, or the exit code and logs of a container that stopped. */
    void assertRunning() throws Exception {
        String state = Podman.run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name).ok().stdout().strip();
        if (!state.startsWith("running")) {
            throw new AssertionError("container " + state + "; logs:\n" + logs());
        }
    }

    String logs() throws Exception {
        Podman.Result logs = Podman.run("logs", name);
        return logs.stdout() + logs.stderr();
    }

    /** {@code podman stop}: SIGTERM, then SIGKILL after {@code grace}; the container's exit code. */
    int stop(Duration grace) throws Exception {
        Podman.run(grace.plusMinutes(1), "stop", "-t", Long.toString(grace.toSeconds()), name).ok();
        return Integer.parseInt(Podman.run("inspect", "-f", "{{.State.ExitCode}}", name).ok().stdout().strip());
    }

    @Override
    public void close() throws Exception {
        Podman.run("rm", "-f", "-t", "0", name);
    }

    /** The manifest's args with its ports swapped for free ones: the container shares the host's network. */
    private static List<String> servingArgs(List<String> manifestArgs, int securePort, int port, int peerPort) {
        return manifestArgs.stream().map(a -> a.equals("--secure-port=" + securePort) ? "--secure-port=" + port
                : a.startsWith("--peer-port=") ? "--peer-port=" + peerPort : a).toList();
    }

    /**
     * An env var as the kubelet sets it: a value, or from the downward API (the pod's name is
     * the container's, its IP the host's, as the container shares the host's network).
     */
    private String envValue(EnvVar env, Deployment deployment) {
        if (env.getValueFrom() == null) {
            return env.getValue();
        }
        assertThat(env.getValueFrom().getFieldRef()).as("env %s from a reference other than a field", env.getName())
                .isNotNull();
        String field = env.getValueFrom().getFieldRef().getFieldPath();
        return switch (field) {
            case "metadata.name" -> name;
            case "metadata.namespace" -> deployment.getMetadata().getNamespace();
            case "status.podIP" -> "127.0.0.1";
            default -> throw new AssertionError("env " + env.getName() + " from field " + field + ", which this test cannot give");
        };
    }

    private static Long first(Long preferred, Long fallback) {
        return preferred != null ? preferred : fallback;
    }
}
