package io.demandmetrics.adapter;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.support.ClientExchange;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark (prints figures, asserts nothing): the cost of authentication and authorization.
 * The same external metric is loaded on a standalone adapter and on an in-cluster adapter
 * reached the way the aggregator reaches it (front-proxy client certificate plus identity
 * headers, SubjectAccessReview cached), in alternating rounds in one run, with 16 keep-alive
 * HTTPS connections. wrk cannot present client certificates, hence a Vert.x client here.
 *
 * <p>Run by {@code bench/run}; alone: {@code java -cp ... io.demandmetrics.adapter.FrontProxyBench [seconds] [rounds]}.
 */
public final class FrontProxyBench {

    private static final String PATH = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue-depth";
    private static final int CONNECTIONS = 16;
    private static volatile String lastFailure;

    private FrontProxyBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("front-proxy-bench");
        TestValuesScalerProvider.set("bench-queue", List.of(Sample.of(Map.of("queue", "orders"), 40)));
        String config = "metrics:\n  - {name: queue-depth, namespace: shop, type: test-values,"
                + " parameters: {source: bench-queue}}\n";
        Path standaloneDir = Files.createDirectories(dir.resolve("standalone"));
        Files.writeString(standaloneDir.resolve("config.yaml"), config);
        Path inClusterDir = Files.createDirectories(dir.resolve("in-cluster"));
        Vertx vertx = Vertx.vertx();
        try (MockCluster cluster = new MockCluster()) {
            Adapter standalone = TestAdapters.start(standaloneDir, standaloneDir.resolve("config.yaml"),
                    Clock.systemUTC());
            Adapter inCluster = cluster.startAdapter(inClusterDir, config);
            TestCertificates.Issued proxy = cluster.frontProxyCa.issue("front-proxy-client", null);
            HttpClient anonymous = client(vertx, TestAdapters.certFile(standaloneDir), null);
            HttpClient frontProxy = client(vertx, TestAdapters.certFile(inClusterDir), proxy);
            Map<String, String> identity = Map.of("X-Remote-User", "system:serviceaccount:kube-system:horizontal-pod-autoscaler",
                    "X-Remote-Group", "system:serviceaccounts");

            run(anonymous, standalone.port(), Map.of(), 5);            // warm-up (JIT)
            run(frontProxy, inCluster.port(), identity, 5);
            int reviewsBefore = cluster.accessReviews.get();
            System.out.printf("3. authenticated request cost: %d HTTPS keep-alive connections (Vert.x client, in the"
                    + " adapters' JVM), %d alternating rounds of %d s, after 5 s warm-up each%n", CONNECTIONS, rounds,
                    seconds);
            double standaloneTotal = 0;
            double frontProxyTotal = 0;
            for (int round = 1; round <= rounds; round++) {
                Result a = run(anonymous, standalone.port(), Map.of(), seconds);
                Result b = run(frontProxy, inCluster.port(), identity, seconds);
                System.out.printf("   round %d  %-36s %10.0f req/s   p50 %6.2f ms   p99 %6.2f ms%n", round,
                        "standalone (anonymous, loopback)", a.rps(), a.p50(), a.p99());
                System.out.printf("   round %d  %-36s %10.0f req/s   p50 %6.2f ms   p99 %6.2f ms%n", round,
                        "in-cluster (front proxy + SAR)", b.rps(), b.p50(), b.p99());
                standaloneTotal += a.rps();
                frontProxyTotal += b.rps();
            }
            System.out.printf("   mean: standalone %.0f req/s, front proxy %.0f req/s; ratio %.2f (bar: >= 0.70)%n",
                    standaloneTotal / rounds, frontProxyTotal / rounds, frontProxyTotal / standaloneTotal);
            System.out.printf("   SubjectAccessReviews sent during the measured rounds: %d (answers cached 10 s)%n",
                    cluster.accessReviews.get() - reviewsBefore);
            standalone.stop();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        System.exit(0);
    }

    private record Result(double rps, double p50, double p99) {
    }

    /** {@link #CONNECTIONS} request loops for {@code seconds}; every answer must be 200. */
    private static Result run(HttpClient client, int port, Map<String, String> headers, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long[][] latencies = new long[CONNECTIONS][];
        AtomicInteger failures = new AtomicInteger();
        CompletableFuture<?>[] loops = new CompletableFuture<?>[CONNECTIONS];
        long started = System.nanoTime();
        for (int i = 0; i < CONNECTIONS; i++) {
            long[] samples = new long[400_000];
            int loop = i;
            CompletableFuture<Integer> done = new CompletableFuture<>();
            loops[i] = done.thenAccept(count -> latencies[loop] = Arrays.copyOf(samples, count));
            next(client, port, headers, deadline, samples, 0, failures, done);
        }
        CompletableFuture.allOf(loops).get(seconds + 30L, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - started) / 1e9;
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " requests did not answer 200: " + lastFailure);
        }
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        return new Result(all.length / elapsed, all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6);
    }

    private static void next(HttpClient client, int port, Map<String, String> headers, long deadline, long[] samples,
                             int count, AtomicInteger failures, CompletableFuture<Integer> done) {
        if (System.nanoTime() >= deadline || count == samples.length) {
            done.complete(count);
            return;
        }
        long sent = System.nanoTime();
        client.request(new RequestOptions().setMethod(HttpMethod.GET).setPort(port).setHost("127.0.0.1").setURI(PATH)
                .setIdleTimeout(5_000)).compose(request -> {
            headers.forEach(request::putHeader);
            return ClientExchange.send(request, response -> {
                if (response.statusCode() != 200) {
                    failures.incrementAndGet();
                }
                return response.body();
            });
        }).onComplete(result -> {
            if (result.failed()) {
                failures.incrementAndGet();
                lastFailure = result.cause().toString();
            }
            samples[count] = System.nanoTime() - sent;
            next(client, port, headers, deadline, samples, count + 1, failures, done);
        });
    }

    private static HttpClient client(Vertx vertx, Path serverCert, TestCertificates.Issued clientCert) throws Exception {
        // Connections idle for 2 s are dropped, so each round starts on fresh ones: in this harness a
        // pool left idle through the other adapter's round stalled on reuse. The adapter itself
        // answers reused idle connections (LifecycleIT.anIdleKeepAliveConnectionIsServedWhenReused).
        HttpClientOptions options = new HttpClientOptions().setSsl(true).setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true).setKeepAliveTimeout(2).setVerifyHost(false)
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(Files.readAllBytes(serverCert))));
        if (clientCert != null) {
            options.setKeyCertOptions(new PemKeyCertOptions().addCertValue(Buffer.buffer(clientCert.certificatePem()))
                    .addKeyValue(Buffer.buffer(clientCert.keyPem())));
        }
        return vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(CONNECTIONS));
    }
}
