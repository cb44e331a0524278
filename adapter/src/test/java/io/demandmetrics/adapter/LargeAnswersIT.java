package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics and the explain list are sent chunk by chunk from memory outside the heap, shared
 * between the readers that come at once: over both protocols, gzipped or not, every reader gets
 * the whole answer, and the memory held does not grow with the reads (a leaked or twice-freed
 * chunk would show in one or the other).
 */
class LargeAnswersIT {

    @TempDir
    Path dir;

    private Adapter adapter;
    private HttpClient h1;
    private final List<HttpClient> h2 = new ArrayList<>();

    @BeforeEach
    void startWith400Metrics() throws Exception {
        TestValuesScalerProvider.set("large", List.of(Sample.of(1)));
        StringBuilder yaml = new StringBuilder("metrics:\n");
        for (int i = 0; i < 400; i++) { // /metrics about 200 KB, explain about 90 KB: several chunks each
            yaml.append("  - {name: large-").append(i).append(", namespace: shop, type: test-values,"
                    + " parameters: {source: large}, pollInterval: 1s}\n");
        }
        Path config = Files.writeString(dir.resolve("config.yaml"), yaml.toString());
        adapter = TestAdapters.start(dir, config, new MutableClock(Instant.parse("2026-11-30T12:00:00Z")));
        for (int i = 0; i < 4; i++) {
            h2.add(TestAdapters.client(TestAdapters.certFile(dir)));
        }
        h1 = HttpClient.newBuilder().sslContext(TestAdapters.sslContext(TestAdapters.certFile(dir), null))
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        adapter.stop();
    }

    @Test
    void manyReadersAtOnceGetWholeAnswersAndTheMemoryHeldStaysBounded() throws Exception {
        round(adapter, h1, h2);
        long held = heldBytes(adapter, h1);
        assertThat(held).as("one body per route and encoding, shared with the next reader").isPositive();
        for (int i = 0; i < 10; i++) {
            round(adapter, h1, h2);
        }
        assertThat(heldBytes(adapter, h1)).as("after ten more rounds of readers").isLessThan(2 * held);
    }

    /**
     * The bodies are built on one worker of their own, whatever the readers: the chunks of a
     * build are then malloc'd in one thread's arena, which the next build reuses (built by any of
     * twenty workers, each kept its last build's freed chunks), and one build at most competes
     * with the event loops for a core.
     */
    @Test
    void largeAnswersAreBuiltOneAtATimeOnOneWorker() throws Exception {
        round(adapter, h1, h2);
        // Read while this very scrape is being built: the pool's one thread is in use.
        String exposition = TestAdapters.get(h1, adapter, "/metrics").body();
        String pool = "pool_name=\"large-answers\"";
        assertThat(TestAdapters.meter(exposition, "vertx_pool_completed_total", pool))
                .as("builds of /metrics and both explain lists, plain and gzipped").isGreaterThanOrEqualTo(6);
        assertThat(TestAdapters.meter(exposition, "vertx_pool_ratio", pool))
                .as("in use / size, read during the scrape's own build: one thread").isEqualTo(1.0);
    }

    /**
     * Every kind of large answer, read by several clients at once over both protocols. The
     * HTTP/2 reads are spread over four clients (connections), three streams each: JDK 17's
     * client stalled here with a dozen large streams at once on one connection, against this
     * build and the one before it alike, where h2load with as many streams per connection read
     * every answer.
     */
    private static void round(Adapter adapter, HttpClient h1, List<HttpClient> h2) throws Exception {
        List<CompletableFuture<Void>> reads = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < 4; i++) {
            for (boolean gzip : List.of(false, true)) {
                HttpClient client = i % 2 == 0 ? h1 : h2.get(next++);
                reads.add(read(client, adapter, "/metrics", gzip).thenAccept(body -> assertThat(body)
                        .startsWith("# HELP").contains("demand_adapter_poll_seconds_count{describes=\"external\","
                                + "metric=\"shop/large-399\"").endsWith("\n")));
                reads.add(read(client, adapter, "/explain.json", gzip).thenAccept(body ->
                        assertThat(new JsonObject(body).getJsonArray("metrics")).hasSize(400)));
                reads.add(read(client, adapter, "/explain.json?limit=300", gzip).thenAccept(body ->
                        assertThat(new JsonObject(body).getInteger("remaining")).isEqualTo(100)));
            }
        }
        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get();
    }

    private static CompletableFuture<String> read(HttpClient client, Adapter adapter, String path, boolean gzip) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(adapter.url() + path))
                .timeout(Duration.ofSeconds(20));
        if (gzip) {
            request.header("Accept-Encoding", "gzip");
        }
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("content-encoding").isPresent()).isEqualTo(gzip);
            try {
                byte[] bytes = gzip ? new GZIPInputStream(new java.io.ByteArrayInputStream(response.body()))
                        .readAllBytes() : response.body();
                return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new AssertionError(path + ": not gzip", e);
            }
        });
    }

    private static long heldBytes(Adapter adapter, HttpClient client) throws Exception {
        return (long) TestAdapters.meter(TestAdapters.get(client, adapter, "/metrics").body(),
                "demand_adapter_large_answers_bytes");
    }
}
