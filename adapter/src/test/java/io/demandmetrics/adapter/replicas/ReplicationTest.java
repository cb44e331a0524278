package io.demandmetrics.adapter.replicas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.adapter.config.AdapterConfig;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.adapter.store.MetricStore;
import io.demandmetrics.adapter.store.PollListener;
import io.demandmetrics.adapter.tls.SelfSignedCertificate;
import io.demandmetrics.adapter.tls.ServingCertificate;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.support.ClientExchange;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas in one JVM, each with its own store: the owner's polls reach the other over
 * the peer port (real TLS, the sender's token reviewed by the Kubernetes API mock), which
 * serves them as its own; a sender that is not a replica is refused.
 */
class ReplicationTest {

    private static final String ADAPTER = "system:serviceaccount:adapters:demand-metrics-adapter";

    @TempDir
    Path dir;
    private final Vertx vertx = Vertx.vertx();
    private ReviewingApi api;
    private KubernetesClient client;
    private final AtomicReference<List<Sample>> source = new AtomicReference<>(List.of(Sample.of(5)));
    private MetricStore owner;
    private MetricStore other;
    private PeerServer otherPeerPort;
    private ReadingReplicator replicator;
    /** The replicator the owner's polls go to. */
    private final AtomicReference<ReadingReplicator> sender = new AtomicReference<>();
    private int otherPort;

    /** One metric whose value the test sets; its owner polls it every second. */
    private final ScalerProvider<Object> provider = new ScalerProvider<>() {
        @Override
        public String type() {
            return "settable";
        }

        @Override
        public Object parseConfig(Map<String, Object> parameters) {
            return parameters;
        }

        @Override
        public Scaler createScaler(Object config, ScalerContext context) {
            return new Scaler() {
                @Override
                public Future<List<Sample>> fetch() {
                    return Future.succeededFuture(source.get());
                }

                @Override
                public Future<Void> close() {
                    return Future.succeededFuture();
                }
            };
        }
    };

    private MetricDefinition metric(Map<String, Object> parameters) {
        return new MetricDefinition(MetricKey.external("shop", "queue"), "settable", parameters, provider, parameters,
                null, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(30), null, null);
    }

    @BeforeEach
    void start() throws Exception {
        api = new ReviewingApi(spec -> {
            String token = spec.getString("token");
            boolean peerAudience = spec.getJsonArray("audiences").contains(PeerAuthenticator.AUDIENCE);
            return switch (token) {
                case "peer-token" -> new JsonObject().put("authenticated", peerAudience)
                        .put("user", new JsonObject().put("username", ADAPTER))
                        .put("audiences", List.of(PeerAuthenticator.AUDIENCE));
                case "intruder-token" -> new JsonObject().put("authenticated", true)
                        .put("user", new JsonObject().put("username", "system:serviceaccount:shop:web"))
                        .put("audiences", List.of(PeerAuthenticator.AUDIENCE));
                default -> new JsonObject().put("authenticated", false).put("error", "invalid bearer token");
            };
        }, Duration.ofSeconds(4));
        client = api.client();
        PollListener none = new PollListener() { };
        PollListener replicating = new PollListener() {
            @Override
            public void polled(MetricState state, long nanos, boolean failed) {
                sender.get().polled(state, nanos, failed);
            }
        };
        owner = new MetricStore(vertx, Clock.systemUTC(), new SimpleMeterRegistry(), replicating, Optional.empty(),
                key -> true);
        other = new MetricStore(vertx, Clock.systemUTC(), new SimpleMeterRegistry(), none, Optional.empty(),
                key -> false);
        SelfSignedCertificate.ensure(dir, "127.0.0.1", Duration.ofDays(1));
        ServingCertificate certificate = ServingCertificate.read(dir.resolve(SelfSignedCertificate.CERT_FILE),
                dir.resolve(SelfSignedCertificate.KEY_FILE));
        otherPeerPort = new PeerServer(vertx, new PeerAuthenticator(client, vertx.createSharedWorkerExecutor("reviews"),
                ADAPTER, Clock.systemUTC()), (from, reading) -> other.replicated(reading.key(), reading.settings(),
                reading.reading(), reading.failure(), from));
        otherPort = result(otherPeerPort.listen("127.0.0.1", 0, certificate));
        replicator = new ReadingReplicator(vertx, owner.context(), "owner-1",
                () -> Map.of("other-1", "127.0.0.1:" + otherPort), () -> "peer-token", owner::polledHere,
                Duration.ofSeconds(5));
        sender.set(replicator);
    }

    @AfterEach
    void stop() throws Exception {
        result(replicator.close());
        result(otherPeerPort.close());
        result(owner.close());
        result(other.close());
        api.close();
        vertx.close();
    }

    @Test
    void theOwnersReadingsAreServedByTheOtherReplica() throws Exception {
        MetricDefinition queue = metric(Map.of());
        result(owner.apply(new AdapterConfig(List.of(queue))));
        result(other.apply(new AdapterConfig(List.of(queue))));
        replicator.start(Duration.ofMillis(100));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> assertThat(served(other)).isEqualTo(5.0));
        source.set(List.of(Sample.of(8)));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> assertThat(served(other)).isEqualTo(8.0));
        assertThat(other.catalog().state(queue.key()).reading().fetchedAt())
                .isEqualTo(owner.catalog().state(queue.key()).reading().fetchedAt());
        assertThat(replicator.peersInStep()).containsExactly("other-1");
        assertThat(otherPeerPort.received()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aReplicaWithOtherSettingsDoesNotServeTheOwnersReading() throws Exception {
        result(owner.apply(new AdapterConfig(List.of(metric(Map.of())))));
        result(other.apply(new AdapterConfig(List.of(metric(Map.of("queue", "renamed"))))));
        replicator.start(Duration.ofMillis(100));
        await().atMost(Duration.ofSeconds(10)).until(() -> otherPeerPort.refused() > 0);
        assertThat(other.catalog().state(MetricKey.external("shop", "queue")).reading()).isNull();
    }

    @Test
    void aSlowPeerHasOneSendInFlightAndGetsTheLatestReadingAfterIt() throws Exception {
        // A peer that answers each batch a second after it arrives, to a sender flushing every 50 ms.
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        AtomicInteger batches = new AtomicInteger();
        AtomicReference<Double> latest = new AtomicReference<>();
        ServingCertificate certificate = ServingCertificate.read(dir.resolve(SelfSignedCertificate.CERT_FILE),
                dir.resolve(SelfSignedCertificate.KEY_FILE));
        HttpServer slow = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setUseAlpn(true)
                        .setKeyCertOptions(certificate.keyCertOptions()))
                .requestHandler(request -> request.body().onSuccess(body -> {
                    mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    batches.incrementAndGet();
                    for (ReplicatedReading reading : ReadingBatch.decode(body).readings()) {
                        latest.set(reading.reading().samples().get(0).value());
                    }
                    vertx.setTimer(1000, timer -> {
                        inFlight.decrementAndGet();
                        request.response().end();
                    });
                }));
        int slowPort = result(slow.listen(0, "127.0.0.1")).actualPort();
        ReadingReplicator toSlow = new ReadingReplicator(vertx, owner.context(), "owner-1",
                () -> Map.of("slow-1", "127.0.0.1:" + slowPort), () -> "peer-token", owner::polledHere,
                Duration.ofSeconds(5));
        sender.set(toSlow);
        try {
            result(owner.apply(new AdapterConfig(List.of(metric(Map.of())))));
            toSlow.start(Duration.ofMillis(50));
            await().atMost(Duration.ofSeconds(10)).until(() -> Double.valueOf(5.0).equals(latest.get()));
            source.set(List.of(Sample.of(8)));
            await().atMost(Duration.ofSeconds(10)).until(() -> Double.valueOf(8.0).equals(latest.get()));
            await().atMost(Duration.ofSeconds(10)).until(() -> batches.get() >= 3);
            assertThat(mostInFlight.get()).as("batches in flight to the peer at once").isEqualTo(1);
            assertThat(toSlow.peersInStep()).containsExactly("slow-1");
        } finally {
            result(toSlow.close());
            result(slow.close());
        }
    }

    @Test
    void aSenderThatIsNotAReplicaIsRefused() throws Exception {
        result(other.apply(new AdapterConfig(List.of(metric(Map.of())))));
        String batch = ReadingBatch.encode("intruder", List.of()).toString();
        assertThat(post(null, batch)).startsWith("401");
        assertThat(post("not-a-token", batch)).startsWith("401").contains("invalid bearer token");
        assertThat(post("intruder-token", batch)).startsWith("403")
                .contains("only replicas of this adapter (" + ADAPTER + ") may push readings");
        assertThat(post("peer-token", "{\"from\":1}")).startsWith("400").contains("the batch.from must be a string");
        assertThat(post("peer-token", batch)).startsWith("200");
    }

    private String post(String token, String body) throws Exception {
        var http = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(otherPort)
                .setURI(PeerServer.PATH);
        if (token != null) {
            options.putHeader("Authorization", "Bearer " + token);
        }
        try {
            return result(ClientExchange.send(http, options, io.vertx.core.buffer.Buffer.buffer(body),
                    response -> response.body().map(text -> response.statusCode() + " " + text)));
        } finally {
            http.close();
        }
    }

    private static double served(MetricStore store) {
        return store.catalog().state(MetricKey.external("shop", "queue")).serve(java.time.Instant.now())
                .samples().get(0).value();
    }

    private static <T> T result(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}
