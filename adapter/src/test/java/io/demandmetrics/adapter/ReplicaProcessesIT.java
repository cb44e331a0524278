package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.adapter.replicas.CuttableProxy;
import io.demandmetrics.adapter.replicas.LeasedOwnership;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three adapter processes (the real jar, in-cluster mode against the Kubernetes API mock)
 * sharing the polling of {@code prometheus} metrics whose source counts every query
 * ({@link CountingPrometheus}): each query is asked once per interval across the three, and
 * when one process is killed with SIGKILL under an HPA client's load, the others keep answering
 * every metric (no failed request, values as fresh as their polls) and one of them asks its
 * queries again within the lease duration, a retry period and a poll interval.
 */
class ReplicaProcessesIT {

    private static final int METRICS = 24;
    private static final Duration LEASE = Duration.ofSeconds(6);
    private static final Duration RENEW = Duration.ofSeconds(3);
    private static final Duration RETRY = Duration.ofMillis(500);
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration MAX_AGE = Duration.ofSeconds(15);
    /** replica-2's renew deadline: far below the lease duration, so its stop shows at the source before a takeover. */
    private static final Duration CUT_RENEW = Duration.ofSeconds(1);

    /** replica-0's class loading, logged. */
    private static final String CLASSES_LOGGED = "replica-0-classes.log";

    @TempDir
    Path dir;
    private MockCluster cluster;
    private CountingPrometheus prometheus;
    /** replica-2 reaches the Kubernetes API through it. */
    private CuttableProxy apiProxy;
    /** The other replicas reach replica-2's peer port through it. */
    private CuttableProxy peerProxy;
    private final List<ReplicaProcess> replicas = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        prometheus = new CountingPrometheus();
        StringBuilder config = new StringBuilder("metrics:\n");
        for (int i = 0; i < METRICS; i++) {
            config.append("  - {name: m").append(i).append(", namespace: shop, type: prometheus, pollInterval: 1s,")
                    .append(" maxAge: ").append(MAX_AGE.toSeconds()).append("s, parameters: {serverAddress: \"").append(prometheus.url())
                    .append("\", query: demand_").append(i).append("}}\n");
        }
        Files.writeString(dir.resolve("config.yaml"), config);
        ReplicaProcess.prepare(cluster, dir);
        apiProxy = new CuttableProxy(cluster.apiPort());
        int peerPort = TestAdapters.freePort();
        peerProxy = new CuttableProxy(peerPort);
        List<String> logClasses = new ArrayList<>(ReplicaProcess.TEST_JVM);
        logClasses.add("-Xlog:class+load=info:file=" + dir.resolve(CLASSES_LOGGED));
        replicas.add(ReplicaProcess.start(cluster, dir, "replica-0", System.getProperty("adapter.jar"), logClasses,
                flags(RENEW)));
        replicas.add(startReplica("replica-1"));
        List<String> throughProxies = new ArrayList<>(flags(CUT_RENEW));
        throughProxies.addAll(List.of("--peer-port", Integer.toString(peerPort), "--peer-address",
                "127.0.0.1:" + peerProxy.port()));
        replicas.add(ReplicaProcess.start(cluster, dir, "replica-2", System.getProperty("adapter.jar"), ReplicaProcess.TEST_JVM,
                throughProxies, cluster.kubeconfig(dir.resolve("kubeconfig-through-proxy"), apiProxy.port())));
    }

    private ReplicaProcess startReplica(String name) throws Exception {
        return ReplicaProcess.start(cluster, dir, name, System.getProperty("adapter.jar"), ReplicaProcess.TEST_JVM,
                flags(RENEW));
    }

    private static List<String> flags(Duration renewDeadline) {
        return List.of("--replica-buckets", "8", "--lease-duration", LEASE.toSeconds() + "s",
                "--lease-renew-deadline", renewDeadline.toMillis() + "ms", "--lease-retry-period", RETRY.toMillis() + "ms",
                "--shutdown-delay", "1s");
    }

    @AfterEach
    void stop() throws Exception {
        for (ReplicaProcess replica : replicas) {
            replica.kill();
        }
        prometheus.close();
        apiProxy.close();
        peerProxy.close();
        cluster.close();
    }

    private void awaitBucketsShared(List<ReplicaProcess> live) {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            double total = 0;
            for (ReplicaProcess replica : live) {
                double held = replica.meter("demand_adapter_buckets_held");
                assertThat(held).isBetween(Math.floor(8.0 / live.size()), Math.ceil(8.0 / live.size()));
                total += held;
            }
            assertThat(total).isEqualTo(8);
        });
    }

    @Test
    void eachQueryIsAskedOncePerIntervalAndAKilledReplicasBucketsAreTakenOverUnderLoad() throws Exception {
        awaitBucketsShared(replicas);
        // Polled once per interval across the three: while one query is asked 5 more times,
        // every other is asked about as often (three replicas each polling would ask ~15).
        Map<String, Integer> before = new HashMap<>();
        for (int i = 0; i < METRICS; i++) {
            before.put("demand_" + i, prometheus.asked("demand_" + i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> prometheus.asked("demand_0") >= before.get("demand_0") + 5);
        for (int i = 0; i < METRICS; i++) {
            assertThat(prometheus.asked("demand_" + i) - before.get("demand_" + i)).as("queries demand_%d", i)
                    .isBetween(3, 7);
        }

        // An HPA client's load on the two replicas that stay, across the kill of the third.
        ReplicaProcess killed = replicas.get(2);
        List<ReplicaProcess> staying = List.copyOf(replicas.subList(0, 2));
        HpaLoad load = new HpaLoad(() -> staying, 2);
        AtomicInteger answered = load.answered;
        await().atMost(Duration.ofSeconds(20)).until(() -> answered.get() > 200);

        // The killed replica's queries go unasked from its last poll until a new owner's first.
        prometheus.measureGaps();
        killed.kill(); // SIGKILL: no Lease released
        replicas.remove(killed);
        awaitBucketsShared(staying);
        long takenOver = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (int i = 0; i < METRICS; i++) {
                if (prometheus.lastAsked("demand_" + i) <= takenOver) {
                    return false;
                }
            }
            return true;
        });
        long longestSilence = prometheus.longestGap();
        int answeredAtTakeover = answered.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> answered.get() > answeredAtTakeover + 100);
        load.stop();
        assertThat(load.failed).as("requests that failed across the kill (%d answered)", answered.get()).isEmpty();
        // Every replica serves every metric as fresh as its owner polls it: at most a few polls
        // behind the source (a poll, the 250 ms batch, the poll in flight).
        for (ReplicaProcess replica : staying) {
            for (int i = 0; i < METRICS; i++) {
                HttpResponse<String> answer = replica.get("/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/m" + i);
                assertThat(answer.statusCode()).isEqualTo(200);
                int served = Integer.parseInt(new JsonObject(answer.body()).getJsonArray("items").getJsonObject(0)
                        .getString("value"));
                assertThat(served).as("%s serves m%d", replica.name(), i)
                        .isGreaterThanOrEqualTo(prometheus.asked("demand_" + i) - 3);
            }
        }
        System.out.printf("replica processes: %d requests answered across the kill, 0 failed; the killed replica's"
                + " queries went unasked for at most %d ms (lease %d ms, retry %d ms, interval %d ms)%n",
                answered.get(), TimeUnit.NANOSECONDS.toMillis(longestSilence), LEASE.toMillis(), RETRY.toMillis(),
                INTERVAL.toMillis());
        Duration bound = LEASE.plus(RETRY).plus(INTERVAL).plusSeconds(2); // 2 s: starting the pollers, the machine
        assertThat(Duration.ofNanos(longestSilence)).as("the longest a query went unasked after the kill")
                .isLessThanOrEqualTo(bound);
        peerConnectionsUseBoringSslAsTheApiServerDoes();
    }

    /**
     * replica-0 has sent and received readings by now: both ends of its peer connections ran on
     * BoringSSL, as its API server does. A connection on the JDK's engine makes Netty look for
     * Bouncy Castle's JSSE, and so instantiate Bouncy Castle's whole JCE provider (hundreds of
     * classes, megabytes of heap and metaspace in every replica).
     */
    private void peerConnectionsUseBoringSslAsTheApiServerDoes() throws Exception {
        assertThat(replicas.get(0).meter("demand_adapter_readings_sent_total")).isPositive();
        assertThat(replicas.get(0).meter("demand_adapter_readings_received_total")).isPositive();
        List<String> loaded = Files.readAllLines(dir.resolve(CLASSES_LOGGED)).stream()
                .map(line -> line.replaceFirst("^\\S+ ", "").replaceFirst(" .*", "")).toList();
        // The API server's context is BoringSSL's in any case; a client context only the peer client makes.
        assertThat(loaded).contains("io.netty.handler.ssl.ReferenceCountedOpenSslClientContext$OpenSslClientSessionContext")
                .doesNotContain("org.bouncycastle.jce.provider.BouncyCastleProvider");
    }

    /**
     * replica-2 is cut off from the Kubernetes API (its connections through a proxy closed, new
     * ones refused): it stops polling its buckets within its renew deadline, counted at the source
     * (none of its queries is asked from then until the others take the buckets over, after the
     * lease duration), and the others poll them again. replica-2 then answers 503 for every metric
     * (it can check no caller, and gets no readings), never an old value as if fresh.
     */
    @Test
    void aReplicaCutOffFromTheApiStopsPollingWithinItsRenewDeadline() throws Exception {
        awaitBucketsShared(replicas);
        ReplicaProcess cutOff = replicas.get(2);
        List<String> itsQueries = new ArrayList<>();
        Set<Integer> itsBuckets = new HashSet<>();
        for (var lease : cluster.admin.leases().inNamespace("adapters").list().getItems()) {
            String name = lease.getMetadata().getName();
            String holder = lease.getSpec().getHolderIdentity();
            if (name.contains("-bucket-") && holder != null && holder.startsWith("replica-2")) {
                itsBuckets.add(Integer.parseInt(name.substring(name.lastIndexOf('-') + 1)));
            }
        }
        for (int i = 0; i < METRICS; i++) {
            if (itsBuckets.contains(LeasedOwnership.bucketOf("external/shop/m" + i, 8))) {
                itsQueries.add("demand_" + i);
            }
        }
        assertThat(itsQueries).as("the queries of replica-2's buckets %s", itsBuckets).isNotEmpty();

        prometheus.measureGaps();
        long cutAt = System.nanoTime();
        apiProxy.cut();
        List<ReplicaProcess> others = List.copyOf(replicas.subList(0, 2));
        awaitBucketsShared(others);
        long takenOver = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> itsQueries.stream()
                .allMatch(query -> prometheus.lastAsked(query) > takenOver));
        // From its renew deadline (and a poll in flight) until the earliest takeover: not asked.
        long silentFrom = cutAt + CUT_RENEW.plusMillis(1_300).toNanos();
        long silentUntil = cutAt + LEASE.minus(RETRY).minusMillis(200).toNanos();
        for (String query : itsQueries) {
            assertThat(prometheus.asks(query)).as("when %s was asked (ms after the cut)", query)
                    .noneMatch(asked -> asked > silentFrom && asked < silentUntil);
        }
        long lastAskedByIt = itsQueries.stream().mapToLong(query -> prometheus.asks(query).stream()
                .filter(asked -> asked < silentUntil).mapToLong(Long::longValue).max().orElse(cutAt)).max().orElse(cutAt);
        System.out.printf("replica cut off from the API: its %d queries were last asked %d ms after the cut"
                + " (renew deadline %d ms), again once the others had taken its buckets (%d ms after it)%n",
                itsQueries.size(), TimeUnit.NANOSECONDS.toMillis(lastAskedByIt - cutAt), CUT_RENEW.toMillis(),
                TimeUnit.NANOSECONDS.toMillis(takenOver - cutAt));

        // It cannot check who asks, nor get readings (nobody sends to a replica whose Lease lapsed):
        // every answer is a 503 saying why, never a value served as fresh.
        await().atMost(MAX_AGE.plus(LEASE).plusSeconds(15)).ignoreExceptions().untilAsserted(() -> {
            for (int i = 0; i < METRICS; i++) {
                HttpResponse<String> answer = cutOff.get("/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/m" + i);
                assertThat(answer.statusCode()).as("replica-2 m%d: %s", i, answer.body()).isEqualTo(503);
            }
        });
        for (ReplicaProcess replica : others) {
            for (int i = 0; i < METRICS; i++) {
                assertThat(replica.get("/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/m" + i).statusCode())
                        .as("%s m%d", replica.name(), i).isEqualTo(200);
            }
        }
    }

    /**
     * replica-2 is cut off from its peers (the others cannot reach its peer port; it still reaches
     * them and the API): the metrics it polls stay fresh everywhere, and the ones it is sent turn,
     * once past {@code maxAge}, to 503s naming the replica whose readings stopped arriving, rather
     * than old values served as fresh.
     */
    @Test
    void aReplicaCutOffFromItsPeersSaysWhoseReadingsStoppedArriving() throws Exception {
        awaitBucketsShared(replicas);
        ReplicaProcess cutOff = replicas.get(2);
        peerProxy.cut();
        long cutAt = System.nanoTime();
        Set<Integer> stale = new TreeSet<>();
        await().atMost(MAX_AGE.plusSeconds(20)).ignoreExceptions().untilAsserted(() -> {
            stale.clear();
            for (int i = 0; i < METRICS; i++) {
                HttpResponse<String> answer = cutOff.get("/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/m" + i);
                if (answer.statusCode() == 503) {
                    assertThat(answer.body()).containsPattern(
                            "sent by replica replica-[01]\\S*, whose readings stopped arriving");
                    stale.add(i);
                } else {
                    assertThat(answer.statusCode()).isEqualTo(200);
                }
            }
            assertThat(stale.size() + cutOff.meter("demand_adapter_metrics_polled_here")).isEqualTo(METRICS);
        });
        double staleAfter = (System.nanoTime() - cutAt) / 1e9;
        assertThat(stale).as("metrics replica-2 is sent").isNotEmpty();
        for (ReplicaProcess replica : replicas) {
            for (int i = 0; i < METRICS; i++) {
                if (replica != cutOff || !stale.contains(i)) {
                    assertThat(replica.get("/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/m" + i).statusCode())
                            .as("%s m%d", replica.name(), i).isEqualTo(200);
                }
            }
        }
        System.out.printf("replica cut off from its peers: %d of %d metrics answered 503 naming their owner %.1f s"
                + " after the cut (maxAge %d s); the %d it polls stayed fresh%n", stale.size(), METRICS, staleAfter,
                MAX_AGE.toSeconds(), METRICS - stale.size());
    }

    /**
     * A rolling restart of all three under an HPA client's load, as a Deployment does it: a new
     * replica starts and becomes ready (every metric has a value, from its own polls or its
     * peers), the Service sends it traffic, then an old one gets SIGTERM and leaves the Service
     * while its shutdown delay keeps it serving. Not one request fails, and every answer is a value.
     */
    @Test
    void aRollingRestartOfAllThreeUnderLoadFailsNoRequest() throws Exception {
        awaitBucketsShared(replicas);
        // The steady state the restart starts from: the three started at once, and while the
        // buckets settle a replica can take one over before its first reading arrives (a first
        // poll on a machine busy starting three JVMs can time out). The restart is the subject.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            for (ReplicaProcess replica : replicas) {
                for (int i = 0; i < METRICS; i++) {
                    assertThat(replica.get("/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/m" + i)
                            .statusCode()).as("%s m%d", replica.name(), i).isEqualTo(200);
                }
            }
        });
        List<ReplicaProcess> service = new CopyOnWriteArrayList<>(replicas);
        HpaLoad load = new HpaLoad(() -> service, 2);
        for (int round = 0; round < 3; round++) {
            ReplicaProcess fresh = startReplica("new-" + round);
            replicas.add(fresh);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> fresh.get("/readyz").statusCode() == 200);
            service.add(fresh);
            ReplicaProcess old = replicas.get(0);
            old.process().destroy(); // SIGTERM: readiness fails, it serves for the shutdown delay
            await().atMost(Duration.ofSeconds(5)).ignoreExceptions()
                    .until(() -> old.get("/readyz").statusCode() == 503);
            service.remove(old); // the endpoints drop it
            assertThat(old.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            replicas.remove(old);
        }
        awaitBucketsShared(replicas);
        int before = load.answered.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> load.answered.get() > before + 100);
        load.stop();
        assertThat(load.failed).as("requests that failed during the rolling restart (%d answered)", load.answered.get())
                .isEmpty();
        assertThat(load.answered.get()).isGreaterThan(300);
    }

    /**
     * An HPA client's load: threads that each read one metric after another, each request
     * going to one of the endpoints the Service has at that moment; every answer but a 200
     * with a value, and every connection failure, is a failed request.
     */
    private static final class HpaLoad {
        final AtomicInteger answered = new AtomicInteger();
        final List<String> failed = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        HpaLoad(java.util.function.Supplier<List<ReplicaProcess>> endpoints, int clients) {
            for (int c = 0; c < clients; c++) {
                int offset = c;
                Thread client = new Thread(() -> {
                    int i = offset;
                    while (running.get()) {
                        List<ReplicaProcess> now = endpoints.get();
                        ReplicaProcess replica = now.get(i % now.size());
                        String path = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/m" + (i++ % METRICS);
                        try {
                            HttpResponse<String> answer = replica.get(path);
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
                threads.add(client);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join(10_000);
            }
        }
    }
}
