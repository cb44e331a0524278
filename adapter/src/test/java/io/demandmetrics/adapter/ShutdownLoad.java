package io.demandmetrics.adapter;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Eight clients reading a metric (half HTTP/2, half HTTP/1.1; one reads {@code /readyz} as the
 * kubelet does, two HTTP/1.1 ones may read a slow path) while a server shuts down, each outcome
 * classified.
 *
 * <p>Never in flight, from the client's side: a connection refused (nothing listens any more),
 * a TLS handshake the server ended (a connection still in the kernel's accept queue when
 * listening stopped: no request was sent on it), and an HTTP/2 request failed by the GOAWAY
 * that starts the graceful shutdown. RFC 9113 says streams above the GOAWAY's last stream id
 * were not processed and may be retried, which Go's client (the aggregator's) does; JDK 17's
 * client fails every open stream instead (JDK-8335181). Any other failure is a lost request.
 */
final class ShutdownLoad implements AutoCloseable {

    final AtomicInteger answered = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger notReady = new AtomicInteger();
    final AtomicInteger goaway = new AtomicInteger();
    final Map<String, Integer> lost = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService threads = Executors.newFixedThreadPool(8);
    private final List<Future<?>> clients = new ArrayList<>();

    /**
     * @param slowPath read by two HTTP/1.1 clients, or null: a request that takes long enough to
     *     be in flight when the server stops (a {@code /metrics} scrape of many metrics is built
     *     on a worker for a good part of a second). HTTP/1.1, because JDK 17's HTTP/2 client
     *     abandons its open streams at the GOAWAY, so the server cannot answer them.
     */
    ShutdownLoad(int port, String metricPath, String slowPath, Path certFile) throws Exception {
        for (int i = 0; i < 8; i++) {
            HttpClient client = HttpClient.newBuilder().sslContext(TestAdapters.sslContext(certFile, null))
                    .version(i % 2 == 0 ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1).build();
            String path = i == 7 ? "/readyz" : slowPath != null && (i == 3 || i == 5) ? slowPath : metricPath;
            URI uri = URI.create("https://127.0.0.1:" + port + path);
            clients.add(threads.submit(() -> {
                while (running.get()) {
                    if (!readOnce(client, uri, path.equals("/readyz"))) {
                        return;
                    }
                }
            }));
        }
    }

    private boolean readOnce(HttpClient client, URI uri, boolean readiness) {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                answered.incrementAndGet();
            } else if (readiness && response.statusCode() == 503) {
                notReady.incrementAndGet();
            } else {
                lost.merge(response.statusCode() + " " + response.body(), 1, Integer::sum);
            }
        } catch (ConnectException | javax.net.ssl.SSLHandshakeException e) {
            refused.incrementAndGet();
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).endsWith("GOAWAY received")) {
                goaway.incrementAndGet();
            } else {
                lost.merge(e.toString(), 1, Integer::sum);
            }
        } catch (InterruptedException e) {
            return false;
        }
        return true;
    }

    /** Stops the clients and waits for them. */
    @Override
    public void close() throws Exception {
        running.set(false);
        for (Future<?> client : clients) {
            client.get(30, TimeUnit.SECONDS);
        }
        threads.shutdownNow();
    }

    int lostCount() {
        return lost.values().stream().mapToInt(Integer::intValue).sum();
    }
}
