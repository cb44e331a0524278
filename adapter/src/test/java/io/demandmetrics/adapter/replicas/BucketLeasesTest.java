package io.demandmetrics.adapter.replicas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bucket ownership through Leases on the fabric8 Kubernetes mock (CRUD mode: Leases are
 * stored, updates conflict on a stale resourceVersion), with real time: replicas share the
 * buckets fairly, never two at once, and take over from a replica that leaves or is cut off.
 */
class BucketLeasesTest {

    private static final int BUCKETS = 8;
    /** Short, so the takeovers take seconds; the proportions of client-go's defaults. */
    private static final LeaseTiming TIMING = new LeaseTiming(Duration.ofSeconds(3), Duration.ofMillis(2000),
            Duration.ofMillis(200));

    private KubernetesMockServer api;
    private final List<KubernetesClient> clients = new ArrayList<>();
    private final List<CuttableProxy> proxies = new ArrayList<>();
    private final List<BucketLeases> replicas = new ArrayList<>();
    /** Who acts as each bucket's owner now, by the callbacks; and every moment two did. */
    private final Map<Integer, String> owners = new ConcurrentHashMap<>();
    private final List<String> overlaps = new CopyOnWriteArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startApi() throws Exception {
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesMixedDispatcher(new HashMap<>()), false);
        api.init(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() {
        replicas.forEach(BucketLeases::close);
        clients.forEach(KubernetesClient::close);
        proxies.forEach(CuttableProxy::close);
        api.destroy();
    }

    private BucketLeases replica(String name) {
        return replica(name, api.createClient());
    }

    private BucketLeases replica(String name, KubernetesClient client) {
        clients.add(client);
        BucketLeases leases = new BucketLeases(client, "adapters", "demand-metrics-adapter", BUCKETS, name,
                "10.0.0." + name.charAt(0) + ":6444", TIMING,
                new BucketLeases.Listener() {
                    @Override
                    public void acquired(int bucket) {
                        events.add(name + " +" + bucket);
                        String before = owners.putIfAbsent(bucket, name);
                        if (before != null) {
                            overlaps.add("bucket " + bucket + ": " + name + " acquired while " + before + " held it");
                        }
                    }

                    @Override
                    public void lost(int bucket, String why) {
                        events.add(name + " -" + bucket + " (" + why + ")");
                        owners.remove(bucket, name);
                    }
                });
        replicas.add(leases);
        leases.start();
        return leases;
    }

    /** A replica whose calls to the API go through {@code partition}, with the adapter's bounds on them. */
    private BucketLeases replicaBehind(String name, CuttableProxy partition) {
        return replica(name, new KubernetesClientBuilder().withConfig(BucketLeases.boundedCalls(
                new ConfigBuilder(api.createClient().getConfiguration())
                        .withMasterUrl("http://127.0.0.1:" + partition.port()).build(), TIMING)).build());
    }

    private static Set<Integer> all() {
        return new HashSet<>(IntStream.range(0, BUCKETS).boxed().toList());
    }

    private void awaitShared(List<BucketLeases> live, int share) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Set<Integer> union = new HashSet<>();
            for (BucketLeases replica : live) {
                assertThat(replica.held().size()).as(replica.identity() + " holds " + replica.held())
                        .isBetween(share - 1, share);
                union.addAll(replica.held());
            }
            assertThat(union).isEqualTo(all());
        });
    }

    @Test
    void oneReplicaHoldsEveryBucketAsLeasesInItsNamespace() {
        BucketLeases a = replica("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.held().equals(all()));
        List<Lease> leases = api.createClient().leases().inNamespace("adapters")
                .withLabel(BucketLeases.ROLE_LABEL, "bucket").list().getItems();
        assertThat(leases).hasSize(BUCKETS).allSatisfy(lease -> {
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("a");
            assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(3);
            assertThat(lease.getMetadata().getLabels()).containsEntry(BucketLeases.SET_LABEL, "demand-metrics-adapter");
        });
        assertThat(a.holder(5)).isEqualTo("a");
        assertThat(a.replicas()).isEqualTo(1);
    }

    @Test
    void replicasThatJoinGetTheirFairShareAndNoBucketHasTwoOwners() {
        BucketLeases a = replica("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.held().equals(all()));
        BucketLeases b = replica("b");
        awaitShared(List.of(a, b), 4);
        BucketLeases c = replica("c");
        awaitShared(List.of(a, b, c), 3); // ceil(8 / 3): 3, 3, 2
        assertThat(overlaps).as("events: " + events).isEmpty();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(a.replicas()).isEqualTo(3);
            assertThat(a.peers()).isEqualTo(Map.of("b", "10.0.0.b:6444", "c", "10.0.0.c:6444"));
            for (int bucket = 0; bucket < BUCKETS; bucket++) {
                String holder = a.holder(bucket);
                assertThat(holder).as("bucket %d", bucket).isIn("a", "b", "c");
                assertThat(c.holder(bucket)).isEqualTo(holder); // every replica knows every owner
            }
        });
    }

    @Test
    void aReplicaThatLeavesHandsItsBucketsOverAtOnce() {
        BucketLeases a = replica("a");
        BucketLeases b = replica("b");
        awaitShared(List.of(a, b), 4);
        long closed = System.nanoTime();
        b.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.held().equals(all()));
        // released, not lapsed: well before the lease duration
        assertThat(Duration.ofNanos(System.nanoTime() - closed)).isLessThan(TIMING.leaseDuration());
        assertThat(overlaps).as("events: " + events).isEmpty();
    }

    @Test
    void aReplicaCutOffFromTheApiStopsWithinItsRenewDeadlineAndTheOthersTakeOverAfterTheLease() throws Exception {
        BucketLeases a = replica("a");
        CuttableProxy partition = new CuttableProxy(api.getPort());
        proxies.add(partition);
        BucketLeases b = replicaBehind("b", partition);
        awaitShared(List.of(a, b), 4);
        Set<Integer> bHeld = b.held();
        long cut = System.nanoTime();
        partition.cut(); // b cannot reach the API from now on
        await().atMost(Duration.ofSeconds(10)).until(() -> b.held().isEmpty());
        Duration stopped = Duration.ofNanos(System.nanoTime() - cut);
        assertThat(stopped).as("b stops acting within renew deadline + one retry period")
                .isLessThanOrEqualTo(TIMING.renewDeadline().plus(TIMING.retryPeriod()).plusMillis(500));
        await().atMost(Duration.ofSeconds(15)).until(() -> a.held().equals(all()));
        assertThat(events).anySatisfy(event -> assertThat(event).startsWith("b -").contains("not renewed within 2s"));
        assertThat(overlaps).as("events: " + events).isEmpty();
        assertThat(bHeld).isNotEmpty();
    }

    @Test
    void aReplicaWhoseApiAnswerStallsLetsItsBucketsGoAndTakesItsShareAgainWhenTheApiAnswers() throws Exception {
        BucketLeases a = replica("a");
        CuttableProxy partition = new CuttableProxy(api.getPort());
        proxies.add(partition);
        BucketLeases b = replicaBehind("b", partition);
        awaitShared(List.of(a, b), 4);
        // The client's request timeout ends at an answer's head; a body that never comes is this
        // replica's own bound to keep, or its look at the Leases waits for good.
        partition.stall();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.held().isEmpty() && a.held().equals(all()));
        partition.restore();
        awaitShared(List.of(a, b), 4);
        assertThat(overlaps).as("events: " + events).isEmpty();
    }
}
