package io.demandmetrics.adapter;

import io.demandmetrics.adapter.tls.SelfSignedCertificate;
import io.demandmetrics.scaler.support.ClientExchange;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Does a Vert.x HTTP/2 client lose answers? ForwardingBench's client pattern (one connection,
 * four request chains, each started from the main thread, phases of {@code REQUESTS}) against a
 * bare Vert.x HTTPS server in another Vertx instance, or against the adapter's jar (standalone,
 * one event loop, serving a cron metric) when a jar is given; a phase that does not end within
 * 30 s is reported and the probe exits 1.
 *
 * <p>With {@code forward} after the jar, a second adapter is the first one's backend (discovery
 * every second) and is frozen (SIGSTOP) during every other phase; with {@code forward-both} the
 * client also asks the backend directly in the phases between, on a second connection, as
 * ForwardingBench does.
 *
 * <p>Each answer is read with {@link ClientExchange} (the reader attached before the request is
 * sent); with {@code -Dprobe.chained=true}, as {@code request(..).compose(send).compose(body)}.
 * The chained reading stalls about once in a few hundred thousand requests: at a stall the probe
 * shows that the server answered (the client's HTTP/2 stream is closed, a new request on the same
 * connection is answered) and whether Vert.x had delivered the answer's end to the response
 * before the chain asked for its body (bench/RESULTS.md, "A stalled request of the benchmark
 * client").
 *
 * <p>Usage: {@code Http2ClientProbe WORK_DIR PHASES REQUESTS_PER_PHASE [ADAPTER_JAR [forward|forward-both]]}.
 */
public final class Http2ClientProbe {

    private static final String MINE = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/mine";
    /** The chained reading (request, then send, then body) that Vert.x can stall, instead of ClientExchange's. */
    private static final boolean CHAINED = Boolean.getBoolean("probe.chained");

    private Http2ClientProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int phases = Integer.parseInt(args[1]);
        int requests = Integer.parseInt(args[2]);
        String[] pems = SelfSignedCertificate.generate(Set.of("127.0.0.1"), Duration.ofDays(1));
        Path cert = Files.writeString(work.resolve("probe.crt"), pems[0]);
        Path serverCert = cert;
        Path key = Files.writeString(work.resolve("probe.key"), pems[1]);
        Vertx serverVertx = Vertx.vertx();
        Buffer body = Buffer.buffer("{\"kind\":\"ExternalMetricValueList\",\"apiVersion\":\"external.metrics.k8s.io/v1beta1\","
                + "\"metadata\":{},\"items\":[{\"metricName\":\"mine\",\"metricLabels\":{},\"timestamp\":"
                + "\"2026-12-04T00:00:00Z\",\"value\":\"3\"}]}");
        BenchAdapter adapter = null;
        BenchAdapter backend = null;
        String mode = args.length > 4 ? args[4] : "";
        String cron = "type: cron, parameters: {timezone: UTC, start: \"0 0 * * *\", end: \"59 23 * * *\","
                + " desiredReplicas: 3}";
        if (args.length > 3) {
            String forward = "";
            if (mode.startsWith("forward")) {
                Path backDir = Files.createDirectories(work.resolve("back"));
                backend = BenchAdapter.start(Path.of(args[3]), backDir, "metrics:\n  - {name: theirs, namespace: shop, "
                        + cron + "}\n");
                forward = "forward:\n  - {name: back, url: \"" + backend.url() + "\", groups: [external.metrics.k8s.io],"
                        + " caFile: " + backDir.resolve("certs").resolve(SelfSignedCertificate.CERT_FILE)
                        + ", tokenFile: \"\", timeout: 1s, discoveryInterval: 1s}\n";
            }
            Path frontDir = Files.createDirectories(work.resolve("front"));
            adapter = BenchAdapter.start(Path.of(args[3]), frontDir, "metrics:\n  - {name: mine, namespace: shop, "
                    + cron + "}\n" + forward);
            cert = frontDir.resolve("certs").resolve(SelfSignedCertificate.CERT_FILE);
        }
        int port = adapter != null ? java.net.URI.create(adapter.url()).getPort() : serverVertx.createHttpServer(new HttpServerOptions().setSsl(true).setUseAlpn(true)
                        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(serverCert.toString()).setKeyPath(key.toString())))
                .requestHandler(request -> request.response().putHeader("Content-Type", "application/json").end(body))
                .listen(0, "127.0.0.1").await().actualPort();
        Vertx clientVertx = Vertx.vertx();
        HttpClient client = clientVertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true)
                .setProtocolVersion(HttpVersion.HTTP_2).setTrustOptions(new PemTrustOptions().addCertPath(cert.toString()))
                .setDefaultHost("127.0.0.1").setDefaultPort(port), new PoolOptions().setHttp2MaxSize(1));
        HttpClient toBackend = backend == null ? null : clientVertx.createHttpClient(new HttpClientOptions().setSsl(true)
                .setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2).setTrustOptions(new PemTrustOptions()
                        .addCertPath(work.resolve("back").resolve("certs").resolve(SelfSignedCertificate.CERT_FILE)
                                .toString()))
                .setDefaultHost("127.0.0.1").setDefaultPort(java.net.URI.create(backend.url()).getPort()),
                new PoolOptions().setHttp2MaxSize(1));
        int code = 0;
        for (int phase = 0; phase < phases; phase++) {
            boolean frozen = backend != null && phase % 2 == 1;
            if (frozen) {
                backend.signal("STOP");
            }
            if (toBackend != null && mode.equals("forward-both") && !frozen) {
                runPhase(toBackend, requests, "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/theirs");
            }
            List<Chain> chains = startPhase(client, requests, MINE);
            try {
                awaitPhase(chains);
            } catch (java.util.concurrent.TimeoutException e) {
                Chain any = chains.get(0);
                System.out.printf("HUNG in phase %d (after %d requests in all; backend %s): started %d, answered %d%n",
                        phase, (long) phase * requests + any.done.get(), frozen ? "frozen" : "up", any.started.get(),
                        any.done.get());
                code = 1;
                if (adapter != null) {
                    Process curl = new ProcessBuilder("sh", "-c", "curl -s -m 5 --cacert " + cert + " " + adapter.url()
                            + "/metrics | grep -E '^demand_adapter_(http_requests_seconds_count|forwarded)';"
                            + " echo 'a new connection:'; curl -s -m 5 -o /dev/null -w '%{http_code}\\n' --http2 --cacert "
                            + cert + " " + adapter.url() + MINE).redirectErrorStream(true).start();
                    System.out.print(new String(curl.getInputStream().readAllBytes()));
                }
                for (Chain chain : chains) {
                    if (!chain.over.future().isComplete()) {
                        System.out.println("a stalled chain's request: " + chain.trace);
                        System.out.println("the client's HTTP/2 streams: " + Http2ClientState.streams(chain.connection));
                    }
                }
                String again = client.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(MINE))
                        .compose(request -> ClientExchange.send(request, response -> response.body()
                                .map(b -> response.statusCode() + " on stream " + request.streamId())))
                        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
                System.out.println("another request on the same connection: " + again);
                break;
            } finally {
                if (frozen) {
                    backend.signal("CONT");
                }
            }
        }
        if (backend != null) {
            backend.close();
        }
        if (code == 0) {
            System.out.printf("no hang: %d phases of %d requests%n", phases, requests);
        }
        if (adapter != null) {
            adapter.close();
        }
        System.exit(code);
    }

    /** One phase of {@code requests} for {@code path}, four chains; fails after 30 s. */
    private static void runPhase(HttpClient client, int requests, String path) throws Exception {
        awaitPhase(startPhase(client, requests, path));
    }

    /** Four chains sharing one count of {@code requests} for {@code path}, started. */
    private static List<Chain> startPhase(HttpClient client, int requests, String path) {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        List<Chain> chains = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            Chain chain = new Chain(client, requests, started, done, path);
            chain.next();
            chains.add(chain);
        }
        return chains;
    }

    /** Waits up to 30 s for every chain to end; a TimeoutException when one does not. */
    private static void awaitPhase(List<Chain> chains) throws Exception {
        Future.all(chains.stream().map(chain -> chain.over.future()).toList()).toCompletionStage()
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Requests one after the other until the phase has started {@code count}; what its current one went through. */
    private static final class Chain {
        final Promise<Void> over = Promise.promise();
        final HttpClient client;
        final int count;
        final AtomicInteger started;
        final AtomicInteger done;
        final String path;
        volatile String trace;
        volatile HttpConnection connection;

        Chain(HttpClient client, int count, AtomicInteger started, AtomicInteger done, String path) {
            this.client = client;
            this.count = count;
            this.started = started;
            this.done = done;
            this.path = path;
        }

        void next() {
            if (started.getAndIncrement() >= count) {
                over.complete();
                return;
            }
            trace = "asked from " + Thread.currentThread().getName();
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setURI(path);
            Future<Buffer> answer = CHAINED
                    ? client.request(options).compose(request -> request.send()).compose(this::read)
                    : ClientExchange.send(client, options, this::read);
            answer.onComplete(result -> {
                if (result.failed()) {
                    over.fail(result.cause());
                    return;
                }
                done.incrementAndGet();
                next();
            });
        }

        /** Asks for the body, noting whether Vert.x had already handed the answer's end to the response. */
        private Future<Buffer> read(HttpClientResponse response) {
            connection = response.request().connection();
            trace += "; the body asked for on stream " + response.request().streamId()
                    + (Http2ClientState.endDelivered(response) ? " after its end was delivered" : "");
            return response.body();
        }
    }
}
