package io.demandmetrics.adapter;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An adapter process (the jar) in a cluster (the Kubernetes mock) sharing the polling with
 * others: {@code shared} holds the config ({@code config.yaml}), {@code kubeconfig} and
 * {@code peer-token}; each replica has its own directory, ports and self-signed certificate,
 * and a client that talks to it as the aggregator's front proxy does.
 */
record ReplicaProcess(String name, Process process, int port, HttpClient client, Path log) {

    /** Writes the kubeconfig and peer token into {@code shared}, beside the config the caller wrote. */
    static void prepare(MockCluster cluster, Path shared) throws Exception {
        cluster.kubeconfig(kubeconfig(shared));
        Files.writeString(shared.resolve("peer-token"), MockCluster.PEER_TOKEN);
    }

    /**
     * The JVM flags of the tests' replicas: a small heap, and the JIT's first tier only. Three or
     * four JVMs share the machine's two cores in these tests, and a replica started beside them
     * spent most of its 11-15 s start compiling (5-6 s with the first tier). What the tests
     * check (who polls, who answers, failover) does not depend on the second tier's code; the
     * benchmarks ({@link ReplicasBench}) run the JVM as the image does.
     */
    static final List<String> TEST_JVM = List.of("-Xmx128m", "-XX:TieredStopAtLevel=1");

    /**
     * Starts one replica and waits until it listens.
     *
     * @param jvmFlags heap flags and the like
     * @param flags adapter flags beyond the common ones (buckets, Lease timings; the peer port and
     *     address, else a free port on 127.0.0.1)
     */
    static ReplicaProcess start(MockCluster cluster, Path shared, String name, String jar, List<String> jvmFlags,
                                List<String> flags) throws Exception {
        return start(cluster, shared, name, jar, jvmFlags, flags, kubeconfig(shared));
    }

    /** The same, reaching the Kubernetes API as {@code kubeconfig} says (through a proxy, say). */
    static ReplicaProcess start(MockCluster cluster, Path shared, String name, String jar, List<String> jvmFlags,
                                List<String> flags, Path kubeconfig) throws Exception {
        return start(cluster, shared, name, jar, jvmFlags, flags, kubeconfig, Map.of());
    }

    /** The same, the JVM's environment holding {@code environment} too (the image's C allocator, say). */
    static ReplicaProcess start(MockCluster cluster, Path shared, String name, String jar, List<String> jvmFlags,
                                List<String> flags, Map<String, String> environment) throws Exception {
        return start(cluster, shared, name, jar, jvmFlags, flags, kubeconfig(shared), environment);
    }

    /** Where {@link #prepare} writes the kubeconfig every replica reaches the cluster with, unless told otherwise. */
    private static Path kubeconfig(Path shared) {
        return shared.resolve("kubeconfig");
    }

    private static ReplicaProcess start(MockCluster cluster, Path shared, String name, String jar,
                                        List<String> jvmFlags, List<String> flags, Path kubeconfig,
                                        Map<String, String> environment) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(cluster, shared, name, jar, jvmFlags, flags, kubeconfig, environment);
            } catch (IllegalStateException e) {
                // A free port found here can be taken by another process before the replica binds it.
                if (attempt == 3 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    private static ReplicaProcess startOnce(MockCluster cluster, Path shared, String name, String jar,
                                            List<String> jvmFlags, List<String> flags, Path kubeconfig,
                                            Map<String, String> environment) throws Exception {
        Path home = Files.createDirectories(shared.resolve(name));
        int[] ports = TestAdapters.twoFreePorts();
        int port = ports[0];
        Path log = home.resolve("adapter.log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmFlags);
        command.addAll(List.of("-Djava.io.tmpdir=" + home, "-jar", jar,
                "--config", shared.resolve("config.yaml").toString(), "--kubeconfig", kubeconfig.toString(),
                "--bind-address", "127.0.0.1", "--secure-port", Integer.toString(port), "--event-loops", "1",
                "--cert-dir", home.resolve("certs").toString(), "--peer-token-file", shared.resolve("peer-token").toString(),
                "--lease-namespace", "adapters", "--shutdown-grace-period", "2s"));
        if (!flags.contains("--peer-port")) {
            command.addAll(List.of("--peer-port", Integer.toString(ports[1]), "--peer-address", "127.0.0.1"));
        }
        command.addAll(flags);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environment);
        builder.environment().put("POD_NAME", name);
        builder.environment().put("POD_NAMESPACE", "adapters"); // as the Deployment sets it; the Leases' namespace
        Process process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!read(log).contains("listening on https://")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException(name + " did not start:\n" + read(log));
            }
            Thread.sleep(100); // waiting for a process's log line
        }
        return new ReplicaProcess(name, process, port, TestAdapters.client(home.resolve("certs").resolve("apiserver.crt"),
                cluster.frontProxyCa.client("front-proxy-client")), log);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (Exception e) {
            return "";
        }
    }

    /** GET as the HPA's service account, through the front proxy. */
    HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .header("X-Remote-User", "system:serviceaccount:kube-system:horizontal-pod-autoscaler")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A series of its /metrics, read alone ({@code name[]}): the tests and benchmarks ask for a
     * meter ten times a second while they wait, and at 10,000 metrics the whole exposition is
     * megabytes a read that the replica would build and send each time.
     */
    double meter(String name) throws Exception {
        return TestAdapters.meter(get("/metrics?name%5B%5D=" + name).body(), name);
    }

    /** SIGKILL, and wait for it to end. */
    void kill() throws Exception {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
}
