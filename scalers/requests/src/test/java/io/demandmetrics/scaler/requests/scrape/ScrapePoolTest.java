package io.demandmetrics.scaler.requests.scrape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.requests.HttpMetricConfig.ScrapeSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** When the pool scrapes: many targets spread through the interval, not all at once. */
class ScrapePoolTest {

    private Vertx vertx;
    private HttpServer server;
    private final Map<String, List<Long>> scrapedAt = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(request -> {
            scrapedAt.computeIfAbsent(request.path(), p -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
            request.response().end("# TYPE http_requests_total counter\nhttp_requests_total 1\n");
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void targetsAddedTogetherAreScrapedOnceAtOnceThenSpreadThroughTheInterval() {
        long interval = 1000;
        int count = 40;
        Map<String, URI> urls = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            urls.put("pod-" + i, URI.create("http://127.0.0.1:" + server.actualPort() + "/t/" + i));
        }
        ScrapePool pool = new ScrapePool(vertx, new SimpleMeterRegistry());
        long subscribed = System.nanoTime();
        pool.subscribe(urls, new ScrapeSettings(Duration.ofMillis(interval), Duration.ofMillis(800), 1 << 20, null,
                null, null, false, null), Set.of("http_requests_total"), 4);

        await().atMost(Duration.ofSeconds(10)).until(() -> scrapedAt.size() == count
                && scrapedAt.values().stream().allMatch(times -> times.size() >= 2));
        pool.close();
        List<Long> firsts = new ArrayList<>();
        List<Long> seconds = new ArrayList<>();
        scrapedAt.values().forEach(times -> {
            firsts.add(TimeUnit.NANOSECONDS.toMillis(times.get(0) - subscribed));
            seconds.add(TimeUnit.NANOSECONDS.toMillis(times.get(1) - subscribed));
        });
        // A new pod is read at once, so it is served after its second scrape.
        assertThat(firsts).allSatisfy(ms -> assertThat(ms).isLessThan(interval / 2));
        // The next comes at the target's own phase, half an interval to one and a half after it was added.
        assertThat(seconds).allSatisfy(ms -> assertThat(ms).isBetween(interval / 2, interval * 3 / 2 + 200));
        assertThat(seconds.stream().mapToLong(Long::longValue).max().getAsLong()
                - seconds.stream().mapToLong(Long::longValue).min().getAsLong())
                .as("the second scrapes of %d targets subscribed together spread over the interval", count)
                .isGreaterThan(interval / 2);
    }

    @Test
    void phasesAreEvenAndStableForATarget() {
        long interval = 2000;
        int[] perTenth = new int[10];
        for (int i = 0; i < 1000; i++) {
            URI url = URI.create("http://10.1." + (i / 250) + "." + (i % 250) + ":8080/metrics");
            long now = 1_700_000_000_123L + i * 7L;
            long delay = ScrapePool.firstPhasedTick(url, interval, now);
            assertThat(delay).isBetween(interval / 2, interval * 3 / 2 - 1);
            long phase = (now + delay) % interval;
            perTenth[(int) (phase * 10 / interval)]++;
            // Added again later (a reload), the target keeps its phase.
            long later = now + 12_345;
            assertThat((later + ScrapePool.firstPhasedTick(url, interval, later)) % interval).isEqualTo(phase);
        }
        assertThat(java.util.Arrays.stream(perTenth).boxed()).allSatisfy(n -> assertThat(n).isBetween(60, 140));
    }
}
