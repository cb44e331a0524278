package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three adapter processes (the real jar, in-cluster mode against the Kubernetes API mock)
 * sharing the polling of {@code prometheus} metrics whose source, a Prometheus query API in
 * the test, counts every query: each query is asked once per interval across the three, and
 * when one process is killed with SIGKILL under an HPA client's load, the others keep answering
 * every metric (no failed request) and one of them asks its queries again within the lease
 * duration, a retry period and a poll interval.
 */
class ReplicaProcessesIT {

    private static final int METRICS = 9;
    private static final Duration LEASE = Duration.ofSeconds(4);
    private static final Duration RENEW = Duration.ofSeconds(3);
    private static final Duration RETRY = Duration.ofMillis(500);
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final String HPA = "system:serviceaccount:kube-system:horizontal-pod-autoscaler";

    @TempDir
    Path dir;
    private MockCluster cluster;
    private final Vertx vertx = Vertx.vertx();
    private HttpServer prometheus;
    /** Queries asked, by query, with the time (nanoTime) of the last one. */
    private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> lastAsked = new ConcurrentHashMap<>();
    /** From the kill on: the longest time between two asks of each query. */
    private final AtomicBoolean measuringGaps = new AtomicBoolean();
    private final Map<String, Long> longestGap = new ConcurrentHashMap<>();
    private final List<Replica> replicas = new ArrayList<>();

    /** One adapter process and a client that talks to it as the aggregator's front proxy does. */
    private record Replica(String name, Process process, int port, HttpClient client, Path log) {
    }

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        prometheus = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            String query = request.getParam("query") != null ? request.getParam("query")
                    : formValue(body.toString(), "query");
            long now = System.nanoTime();
            int count = asked.computeIfAbsent(query, q -> new AtomicInteger()).incrementAndGet();
            long previous = lastAsked.computeIfAbsent(query, q -> new AtomicLong()).getAndSet(now);
            if (measuringGaps.get() && previous > 0) {
                longestGap.merge(query, now - previous, Math::max);
            }
            // The value is how often the query was asked: a replica serving an old reading shows it.
            double value = count;
            request.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                    .put("status", "success").put("data", new JsonObject().put("resultType", "scalar")
                            .put("result", new JsonArray().add(System.currentTimeMillis() / 1000.0)
                                    .add(Double.toString(value)))).encode());
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        StringBuilder config = new StringBuilder("metrics:\n");
        for (int i = 0; i < METRICS; i++) {
            config.append("  - {name: m").append(i).append(", namespace: shop, type: prometheus, pollInterval: 1s,")
                    .append(" maxAge: 60s, parameters: {serverAddress: \"http://127.0.0.1:").append(prometheus.actualPort())
                    .append("\", query: demand_").append(i).append("}}\n");
        }
        Files.writeString(dir.resolve("config.yaml"), config);
        Files.writeString(dir.resolve("peer-token"), MockCluster.PEER_TOKEN);
        cluster.kubeconfig(dir.resolve("kubeconfig"));
        for (int i = 0; i < 3; i++) {
            replicas.add(startReplica("replica-" + i));
        }
    }

    private static String formValue(String form, String name) {
        for (String pair : form.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).equals(name)) {
                return java.net.URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            }
        }
        return "unknown_0";
    }

    private Replica startReplica(String name) throws Exception {
        Path home = Files.createDirectories(dir.resolve(name));
        int port = freePort();
        Path log = home.resolve("adapter.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-Djava.io.tmpdir=" + home, "-jar", System.getProperty("adapter.jar"),
                "--config", dir.resolve("config.yaml").toString(), "--kubeconfig", dir.resolve("kubeconfig").toString(),
                "--bind-address", "127.0.0.1", "--secure-port", Integer.toString(port), "--event-loops", "1",
                "--cert-dir", home.resolve("certs").toString(), "--replica-buckets", "8",
                "--peer-port", Integer.toString(freePort()), "--peer-address", "127.0.0.1",
                "--peer-token-file", dir.resolve("peer-token").toString(), "--lease-namespace", "adapters",
                "--lease-duration", LEASE.toSeconds() + "s", "--lease-renew-deadline", RENEW.toSeconds() + "s",
                "--lease-retry-period", RETRY.toMillis() + "ms", "--shutdown-grace-period", "2s")
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("POD_NAME", name);
        Process process = builder.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("listening on https://")
                || !process.isAlive());
        assertThat(process.isAlive()).as(Files.readString(log)).isTrue();
        return new Replica(name, process, port, TestAdapters.client(home.resolve("certs").resolve("apiserver.crt"),
                cluster.frontProxyCa.client("front-proxy-client")), log);
    }

    @AfterEach
    void stop() throws Exception {
        for (Replica replica : replicas) {
            replica.process().destroyForcibly();
            replica.process().waitFor(30, TimeUnit.SECONDS);
        }
        prometheus.close();
        vertx.close();
        cluster.close();
    }

    private HttpResponse<String> get(Replica replica, String path) throws Exception {
        return replica.client().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + replica.port() + path))
                .header("X-Remote-User", HPA).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private double meter(Replica replica, String name) throws Exception {
        return TestAdapters.meter(get(replica, "/metrics").body(), name);
    }

    private void awaitBucketsShared(List<Replica> live) {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            double total = 0;
            for (Replica replica : live) {
                double held = meter(replica, "demand_adapter_buckets_held");
                assertThat(held).isBetween(Math.floor(8.0 / live.size()), Math.ceil(8.0 / live.size()));
                total += held;
            }
            assertThat(total).isEqualTo(8);
        });
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void eachQueryIsAskedOncePerIntervalAndAKilledReplicasBucketsAreTakenOverUnderLoad() throws Exception {
        awaitBucketsShared(replicas);
        // Polled once per interval across the three: while one query is asked 5 more times,
        // every other is asked about as often (three replicas each polling would ask ~15).
        Map<String, Integer> before = new ConcurrentHashMap<>();
        asked.forEach((query, count) -> before.put(query, count.get()));
        await().atMost(Duration.ofSeconds(20)).until(() -> asked.get("demand_0").get() >= before.get("demand_0") + 5);
        for (int i = 0; i < METRICS; i++) {
            assertThat(asked.get("demand_" + i).get() - before.get("demand_" + i)).as("queries demand_%d", i)
                    .isBetween(3, 7);
        }

        // An HPA client's load on the two replicas that stay, across the kill of the third.
        Replica killed = replicas.get(2);
        List<Replica> staying = List.copyOf(replicas.subList(0, 2));
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        List<String> failed = new CopyOnWriteArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (Replica replica : staying) {
            Thread client = new Thread(() -> {
                int i = 0;
                while (loading.get()) {
                    String path = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/m" + (i++ % METRICS);
                    try {
                        HttpResponse<String> answer = get(replica, path);
                        if (answer.statusCode() == 200) {
                            answered.incrementAndGet();
                        } else {
                            failed.add(replica.name() + " " + path + ": " + answer.statusCode() + " " + answer.body());
                        }
                    } catch (Exception e) {
                        failed.add(replica.name() + " " + path + ": " + e);
                    }
                }
            });
            client.start();
            clients.add(client);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> answered.get() > 200);

        // The killed replica's queries go unasked from its last poll until a new owner's first.
        measuringGaps.set(true);
        killed.process().destroyForcibly(); // SIGKILL: no Lease released
        assertThat(killed.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        replicas.remove(killed);
        awaitBucketsShared(staying);
        long takenOver = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> asked.keySet().stream()
                .allMatch(query -> lastAsked.get(query).get() > takenOver));
        long longestSilence = longestGap.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        int answeredAtTakeover = answered.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> answered.get() > answeredAtTakeover + 100);
        loading.set(false);
        for (Thread client : clients) {
            client.join(10_000);
        }
        assertThat(failed).as("requests that failed across the kill (%d answered)", answered.get()).isEmpty();
        // Every replica serves every metric as fresh as its owner polls it: at most a few polls
        // behind the source (a poll, the 250 ms batch, the poll in flight).
        for (Replica replica : staying) {
            for (int i = 0; i < METRICS; i++) {
                HttpResponse<String> answer = get(replica, "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/m" + i);
                assertThat(answer.statusCode()).isEqualTo(200);
                int served = Integer.parseInt(new JsonObject(answer.body()).getJsonArray("items").getJsonObject(0)
                        .getString("value"));
                assertThat(served).as("%s serves m%d", replica.name(), i)
                        .isGreaterThanOrEqualTo(asked.get("demand_" + i).get() - 3);
            }
        }
        System.out.printf("replica processes: %d requests answered across the kill, 0 failed; the killed replica's"
                + " queries went unasked for at most %d ms (lease %d ms, retry %d ms, interval %d ms)%n",
                answered.get(), TimeUnit.NANOSECONDS.toMillis(longestSilence), LEASE.toMillis(), RETRY.toMillis(),
                INTERVAL.toMillis());
        Duration bound = LEASE.plus(RETRY).plus(INTERVAL).plusSeconds(2); // 2 s: starting the pollers, the machine
        assertThat(Duration.ofNanos(longestSilence)).as("the longest a query went unasked after the kill")
                .isLessThanOrEqualTo(bound);
    }
}
