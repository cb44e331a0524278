package io.demandmetrics.adapter.replicas;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.objects.OwnNamespace;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.adapter.store.MetricStore;
import io.demandmetrics.adapter.store.Ownership;
import io.demandmetrics.adapter.store.PollListener;
import io.demandmetrics.adapter.tls.ServingCertificate;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicas sharing the polling through Leases: the metrics are hashed into buckets
 * ({@link LeasedOwnership}), each bucket's Lease held by one replica ({@link BucketLeases}),
 * which polls its metrics and sends each reading to the others ({@link ReadingReplicator});
 * each replica takes what the others send on its peer port ({@link PeerServer}) and serves
 * it from memory, so every replica answers every metric and no request waits on a peer.
 */
public final class LeaseSharing implements Sharing {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseSharing.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final KubernetesClient kubernetes;
    private final ReplicaOptions options;
    private final ServingCertificate certificate;
    private final MeterRegistry registry;
    private final Clock clock;
    private final String identity;
    private final String namespace;
    private final String peerHost;
    private final PeerToken token;
    private final AtomicReference<MetricStore> store = new AtomicReference<>();
    private final AtomicReference<ReadingReplicator> replicator = new AtomicReference<>();
    private final LeasedOwnership ownership;
    private volatile Runnable afterOwnershipChange = () -> { };
    private final Counter acquisitions;
    private final Timer lag;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private KubernetesClient leaseClient;
    private BucketLeases leases;
    private PeerServer peers;

    private LeaseSharing(Vertx vertx, KubernetesClient kubernetes, ReplicaOptions options, ServingCertificate certificate,
                         MeterRegistry registry, Clock clock, String identity, String namespace, String peerHost) {
        this.vertx = vertx;
        this.kubernetes = kubernetes;
        this.options = options;
        this.certificate = certificate;
        this.registry = registry;
        this.clock = clock;
        this.identity = identity;
        this.namespace = namespace;
        this.peerHost = peerHost;
        this.token = new PeerToken(options.peerTokenFile());
        this.acquisitions = Counter.builder("demand_adapter_bucket_acquisitions")
                .description("Buckets this replica took (at start, from a replica that left, or to balance)")
                .register(registry);
        this.lag = Timer.builder("demand_adapter_replication_lag")
                .description("From a reading's poll on its owner to its arrival here").register(registry);
        this.ownership = new LeasedOwnership(options.buckets(), () -> {
            MetricStore current = store.get();
            if (current != null) {
                current.ownershipChanged().onComplete(changed -> afterOwnershipChange.run());
            }
        });
    }

    /**
     * @throws IllegalStateException saying what is missing: the namespace, this pod's address, the peer token
     */
    public static LeaseSharing create(Vertx vertx, KubernetesClient kubernetes, ReplicaOptions options,
                                      ServingCertificate certificate, MeterRegistry registry, Clock clock) {
        String namespace = options.leaseNamespace() != null ? options.leaseNamespace() : namespace(kubernetes);
        String host = options.peerHost() != null ? options.peerHost() : System.getenv("POD_IP");
        if (host == null || host.isBlank()) {
            throw new IllegalStateException("--replica-buckets needs this replica's address for its peers:"
                    + " --peer-address, or the POD_IP environment variable (the downward API's status.podIP)");
        }
        if (!Files.isReadable(options.peerTokenFile())) {
            throw new IllegalStateException("--replica-buckets needs the peer token " + options.peerTokenFile()
                    + " (a projected service-account token for audience " + PeerAuthenticator.AUDIENCE
                    + "; deploy/deployment.yaml mounts it), or give --peer-token-file");
        }
        String pod = System.getenv("POD_NAME") != null ? System.getenv("POD_NAME") : hostname();
        byte[] suffix = new byte[3];
        new SecureRandom().nextBytes(suffix);
        return new LeaseSharing(vertx, kubernetes, options, certificate, registry, clock,
                pod + "-" + HexFormat.of().formatHex(suffix), namespace, host);
    }

    private static String namespace(KubernetesClient kubernetes) {
        return OwnNamespace.of(kubernetes).orElseThrow(() -> new IllegalStateException("--replica-buckets needs the"
                + " namespace for its Leases: --lease-namespace, or the POD_NAMESPACE environment variable"));
    }

    private static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT);
        } catch (IOException e) {
            return "adapter";
        }
    }

    @Override
    public Ownership ownership() {
        return ownership;
    }

    @Override
    public void afterOwnershipChanges(Runnable then) {
        afterOwnershipChange = then;
    }

    @Override
    public PollListener listener() {
        return new PollListener() {
            @Override
            public void polled(MetricState state, long nanos, boolean failed) {
                ReadingReplicator sending = replicator.get();
                if (sending != null) {
                    sending.polled(state, nanos, failed);
                }
            }
        };
    }

    @Override
    public Future<Void> start(MetricStore metrics) {
        store.set(metrics);
        String subject;
        try {
            subject = token.subject();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        peers = new PeerServer(vertx, new PeerAuthenticator(kubernetes, vertx.createSharedWorkerExecutor("peer-reviews", 2),
                subject, clock), (from, reading) -> {
                    String refusal = metrics.replicated(reading.key(), reading.settings(), reading.reading(),
                            reading.failure(), from);
                    if (refusal == null && reading.reading() != null) {
                        lag.record(Duration.between(reading.reading().fetchedAt(), clock.instant()));
                    }
                    return refusal;
                });
        return peers.listen("0.0.0.0", options.peerPort(), certificate).map(port -> {
            String address = advertisedAddress(peerHost, port);
            leaseClient = new KubernetesClientBuilder()
                    .withConfig(BucketLeases.boundedCalls(kubernetes.getConfiguration(), options.timing())).build();
            leases = new BucketLeases(leaseClient, namespace, options.leaseName(), options.buckets(), identity, address,
                    options.timing(), new BucketLeases.Listener() {
                        @Override
                        public void acquired(int bucket) {
                            acquisitions.increment();
                            ownership.acquired(bucket);
                        }

                        @Override
                        public void lost(int bucket, String why) {
                            ownership.lost(bucket, why);
                        }
                    });
            ReadingReplicator sending = new ReadingReplicator(vertx, metrics.context(), identity, leases::peers,
                    token::value, metrics::polledHere, SEND_TIMEOUT);
            replicator.set(sending);
            sending.start(options.flushEvery());
            meters(sending);
            leases.start();
            LOG.info("sharing the polling: {} buckets, Leases {}-* in namespace {}, this replica {} at {}",
                    options.buckets(), options.leaseName(), namespace, identity, address);
            return null;
        });
    }

    private void meters(ReadingReplicator sending) {
        Gauge.builder("demand_adapter_buckets_held", this, sharing -> sharing.leases.held().size())
                .description("Buckets whose Lease this replica holds (it polls their metrics)").register(registry);
        Gauge.builder("demand_adapter_replicas_seen", this, sharing -> sharing.leases.replicas())
                .description("Live replicas, this one included, by their Leases").register(registry);
        FunctionCounter.builder("demand_adapter_readings_sent", sending, ReadingReplicator::sent)
                .description("Readings delivered to another replica (one per replica)").register(registry);
        FunctionCounter.builder("demand_adapter_replication_failed_batches", sending, ReadingReplicator::failedBatches)
                .description("Batches of readings another replica did not take").register(registry);
        FunctionCounter.builder("demand_adapter_readings_received", peers, PeerServer::received)
                .description("Readings from other replicas kept").register(registry);
        FunctionCounter.builder("demand_adapter_replication_received_bytes", peers, PeerServer::receivedBytes)
                .description("Bytes of readings taken from other replicas").register(registry);
        FunctionCounter.builder("demand_adapter_readings_refused", peers, PeerServer::refused)
                .description("Readings from other replicas not kept (settings differ, older, polled here)")
                .register(registry);
    }

    /**
     * What the Lease tells peers: {@code host:port} with the peer port (an IPv6 host in brackets),
     * or {@code host} as given when it names a port of its own ({@code --peer-address 10.0.0.7:7444}:
     * a port mapped in front of this one).
     */
    static String advertisedAddress(String host, int peerPort) {
        if (host.matches("\\[[0-9A-Fa-f:.]+]:[0-9]{1,5}") || host.matches("[^:\\[\\]]+:[0-9]{1,5}")) {
            return host;
        }
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + peerPort;
    }

    @Override
    public String ownerOf(MetricDefinition definition) {
        BucketLeases current = leases;
        return current == null ? null : current.holder(ownership.bucketOf(definition));
    }

    /** This replica's identity on the Leases. */
    public String identity() {
        return identity;
    }

    @Override
    public Future<Void> close() {
        if (!closed.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        if (leases != null) {
            leases.close(); // blocking, and releases the buckets: the others take over at their next look
            leaseClient.close();
        }
        ReadingReplicator sending = replicator.getAndSet(null);
        Future<Void> stopped = sending == null ? Future.succeededFuture() : sending.close();
        return Future.join(stopped, peers == null ? Future.succeededFuture() : peers.close()).mapEmpty();
    }
}
