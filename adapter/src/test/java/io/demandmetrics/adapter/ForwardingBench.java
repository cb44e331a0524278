package io.demandmetrics.adapter;

import io.demandmetrics.adapter.tls.SelfSignedCertificate;
import io.demandmetrics.scaler.support.ClientExchange;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What forwarding adds (bench/forwarding runs it): two adapter processes (the jar, standalone),
 * a backend serving metric {@code theirs} and a front one serving {@code mine} and forwarding the
 * rest to the backend over HTTP/2. One HTTP/2 client, {@code STREAMS} requests in flight, asks in
 * alternating rounds: the backend directly for {@code theirs}, the front one for {@code theirs}
 * (forwarded) and for {@code mine}. Then the front one's own metric in alternating rounds with the
 * backend up and with the backend frozen (SIGSTOP: connected but never answering, the worst case
 * for the front one, whose discovery reads of it, every second, hang until their timeout), so both
 * sides of that comparison run with the same processes on the machine. Prints p50 and p99 of each,
 * and each round's p50 and p99 of the last comparison.
 *
 * <p>Usage: {@code ForwardingBench JAR WORK_DIR REQUESTS_PER_ROUND ROUNDS}.
 */
public final class ForwardingBench {

    private static final int STREAMS = 4;
    /** A request without an answer this long is counted as unanswered (and the run goes on). */
    private static final long NO_ANSWER_MILLIS = 5_000;
    private static final AtomicInteger NO_ANSWER = new AtomicInteger();
    private static final AtomicInteger NO_STREAM = new AtomicInteger();
    private static final String EXTERNAL = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/";
    private static final String CRON = "type: cron, parameters: {timezone: UTC, start: \"0 0 * * *\","
            + " end: \"59 23 * * *\", desiredReplicas: 3}";

    private ForwardingBench() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        Path work = Path.of(args[1]);
        int requests = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        Path backDir = Files.createDirectories(work.resolve("back"));
        Path frontDir = Files.createDirectories(work.resolve("front"));
        Vertx vertx = Vertx.vertx();
        try (BenchAdapter back = BenchAdapter.start(jar, backDir, "metrics:\n  - {name: theirs, namespace: shop, "
                + CRON + "}\n")) {
            Path backCert = backDir.resolve("certs").resolve(SelfSignedCertificate.CERT_FILE);
            try (BenchAdapter front = BenchAdapter.start(jar, frontDir, "metrics:\n  - {name: mine, namespace: shop, "
                    + CRON + "}\nforward:\n  - {name: back, url: \"" + back.url() + "\", groups: [external.metrics.k8s.io],"
                    + " caFile: " + backCert + ", tokenFile: \"\", timeout: 1s, discoveryInterval: 1s}\n")) {
                HttpClient toBack = client(vertx, back.url(), backCert);
                HttpClient toFront = client(vertx, front.url(), frontDir.resolve("certs").resolve(SelfSignedCertificate.CERT_FILE));
                List<Long> direct = new ArrayList<>();
                List<Long> forwarded = new ArrayList<>();
                List<Long> ours = new ArrayList<>();
                run(toBack, EXTERNAL + "theirs", requests); // warm-up: connections, JIT on all three
                run(toFront, EXTERNAL + "theirs", requests);
                run(toFront, EXTERNAL + "mine", requests);
                for (int round = 0; round < rounds; round++) {
                    direct.addAll(run(toBack, EXTERNAL + "theirs", requests));
                    forwarded.addAll(run(toFront, EXTERNAL + "theirs", requests));
                    ours.addAll(run(toFront, EXTERNAL + "mine", requests));
                }
                // The backend frozen and back, round by round: our own metric must not notice.
                List<Long> oursBackendUp = new ArrayList<>();
                List<Long> oursBackendDown = new ArrayList<>();
                List<String> upRounds = new ArrayList<>();
                List<String> downRounds = new ArrayList<>();
                for (int round = 0; round < 2 * rounds; round++) {
                    // Up then frozen, then frozen then up: neither side always comes first.
                    boolean upFirst = round % 2 == 0;
                    List<Long> up = upFirst ? run(toFront, EXTERNAL + "mine", requests) : null;
                    back.signal("STOP");
                    List<Long> down;
                    try {
                        down = run(toFront, EXTERNAL + "mine", requests);
                    } finally {
                        back.signal("CONT");
                    }
                    if (!upFirst) {
                        up = run(toFront, EXTERNAL + "mine", requests);
                    }
                    oursBackendUp.addAll(up);
                    oursBackendDown.addAll(down);
                    upRounds.add(String.format("%.0f/%.0f", percentile(up, 0.5) / 1e3, percentile(up, 0.99) / 1e3));
                    downRounds.add(String.format("%.0f/%.0f", percentile(down, 0.5) / 1e3,
                            percentile(down, 0.99) / 1e3));
                }
                System.out.printf("forwarding: %d rounds of %d requests, HTTP/2, %d streams in flight, one client%n",
                        rounds, requests, STREAMS);
                print("the backend asked directly", direct);
                print("the same metric forwarded by the front adapter", forwarded);
                print("the front adapter's own metric", ours);
                print("its own metric, backend up (paired rounds)", oursBackendUp);
                print("its own metric, backend frozen (paired rounds)", oursBackendDown);
                System.out.printf("   p50/p99 per round, up:     %s us%n   p50/p99 per round, frozen: %s us%n",
                        String.join(", ", upRounds), String.join(", ", downRounds));
                System.out.printf("   backend frozen against up: p50 x%.2f, p99 x%.2f%n",
                        percentile(oursBackendDown, 0.5) / percentile(oursBackendUp, 0.5),
                        percentile(oursBackendDown, 0.99) / percentile(oursBackendUp, 0.99));
                System.out.printf("   requests with no answer within %d s (any phase): %d, of them never sent (no stream"
                        + " from the client's pool): %d%n", NO_ANSWER_MILLIS / 1000, NO_ANSWER.get(), NO_STREAM.get());
                System.out.printf("   added by forwarding: p50 %+.0f us, p99 %+.0f us%n",
                        (percentile(forwarded, 0.5) - percentile(direct, 0.5)) / 1e3,
                        (percentile(forwarded, 0.99) - percentile(direct, 0.99)) / 1e3);
            }
        } finally {
            vertx.close().await();
        }
    }

    private static HttpClient client(Vertx vertx, String url, Path cert) {
        java.net.URI base = java.net.URI.create(url);
        return vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true)
                .setProtocolVersion(HttpVersion.HTTP_2).setTrustOptions(new PemTrustOptions().addCertPath(cert.toString()))
                .setDefaultHost(base.getHost()).setDefaultPort(base.getPort()), new PoolOptions().setHttp2MaxSize(1));
    }

    /** {@code count} requests for {@code path}, {@link #STREAMS} at a time; each one's latency in ns (a non-200 fails the run). */
    private static List<Long> run(HttpClient client, String path, int count) throws Exception {
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>(count));
        AtomicInteger started = new AtomicInteger();
        List<Future<Void>> streams = new ArrayList<>();
        for (int s = 0; s < STREAMS; s++) {
            Promise<Void> done = Promise.promise();
            next(client, path, count, started, latencies, done);
            streams.add(done.future());
        }
        Future.all(streams).toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
        return latencies;
    }

    private static void next(HttpClient client, String path, int count, AtomicInteger started, List<Long> latencies,
                             Promise<Void> done) {
        if (started.getAndIncrement() >= count) {
            done.complete();
            return;
        }
        long at = System.nanoTime();
        client.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(path).setIdleTimeout(NO_ANSWER_MILLIS)
                        .setConnectTimeout(NO_ANSWER_MILLIS))
                .recover(noStream -> {
                    NO_STREAM.incrementAndGet(); // the client's pool gave no stream: never sent
                    return Future.failedFuture(noStream);
                })
                .compose(request -> ClientExchange.send(request, response -> response.body().map(body -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException(path + ": " + response.statusCode() + " " + body);
                    }
                    return body;
                }))).onComplete(result -> {
                    if (result.failed() && isNoAnswer(result.cause())) {
                        // Counted, not fatal: a run reports how many requests got no answer at all.
                        NO_ANSWER.incrementAndGet();
                    } else if (result.failed()) {
                        done.fail(result.cause());
                        return;
                    } else {
                        latencies.add(System.nanoTime() - at);
                    }
                    next(client, path, count, started, latencies, done);
                });
    }

    private static boolean isNoAnswer(Throwable failure) {
        return failure instanceof java.util.concurrent.TimeoutException
                || String.valueOf(failure.getMessage()).contains("timeout");
    }

    private static void print(String what, List<Long> latencies) {
        System.out.printf("   %-48s p50 %5.0f us, p99 %6.0f us (%d requests)%n", what + ":",
                percentile(latencies, 0.5) / 1e3, percentile(latencies, 0.99) / 1e3, latencies.size());
    }

    private static double percentile(List<Long> latencies, double q) {
        List<Long> sorted = new ArrayList<>(latencies);
        sorted.sort(Long::compare);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }
}
