package io.demandmetrics.scaler.requests.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.scaler.requests.exposition.ExpositionParser;
import io.demandmetrics.scaler.requests.exposition.Labels;
import io.demandmetrics.scaler.requests.exposition.ScrapedSample;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Scrapes of a real HTTP server that answers the ways targets do, well and badly. */
class TargetScraperTest {

    private static final String EXPOSITION = "# TYPE http_requests_total counter\n"
            + "http_requests_total{code=\"200\"} 42\nhttp_requests_total{code=\"500\"} 1\ngo_goroutines 7\n";
    private static Vertx vertx;
    private static HttpServer server;
    private static String base;
    private static HttpClient client;
    private static volatile String lastAuthorization;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(true))
                .requestHandler(request -> {
                    lastAuthorization = request.getHeader("Authorization");
                    var response = request.response();
                    switch (request.path()) {
                        case "/text" -> response.putHeader("Content-Type", "text/plain; version=0.0.4").end(EXPOSITION);
                        case "/openmetrics" -> response
                                .putHeader("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8")
                                .end("http_requests_total{code=\"200\"} 42 # {trace_id=\"a\"} 1\n# EOF\n");
                        case "/unavailable" -> response.setStatusCode(503).end("overloaded");
                        case "/html" -> response.putHeader("Content-Type", "text/html").end("<html>login</html>\n");
                        case "/large" -> response.end("x".repeat(2_000) + " 1\n");
                        case "/bomb" -> response.putHeader("Content-Encoding", "gzip").end(gzip("#" + " ".repeat(3_000_000) + "\n"));
                        case "/big" -> {
                            StringBuilder text = new StringBuilder();
                            for (int i = 0; i < 20_000; i++) {
                                text.append("other_series{i=\"").append(i).append("\"} 1\n");
                            }
                            response.end(text.append("http_requests_total{code=\"200\"} 5\n").toString());
                        }
                        case "/never" -> { } // holds the request open
                        default -> response.setStatusCode(404).end();
                    }
                })
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + server.actualPort();
        client = vertx.createHttpClient(new HttpClientOptions().setDecompressionSupported(true));
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Buffer gzip(String text) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
                out.write(text.getBytes());
            }
            return Buffer.buffer(bytes.toByteArray());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static TargetScraper scraper(long maxBytes, Duration timeout) {
        return new TargetScraper(vertx, client, new ExpositionParser(Set.of("http_requests_total")), maxBytes, timeout);
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static String failure(Future<?> future) throws Exception {
        try {
            await(future);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(ScrapeException.class);
            return e.getCause().getMessage();
        }
        throw new AssertionError("the scrape succeeded");
    }

    @Test
    void aTextExpositionGivesTheWantedSamplesAndTheTokenIsSent() throws Exception {
        List<ScrapedSample> samples = await(scraper(1 << 20, Duration.ofSeconds(5)).scrape(base + "/text", "s3cret"));
        assertThat(samples).containsExactly(
                new ScrapedSample("http_requests_total", Labels.of("code", "200"), 42),
                new ScrapedSample("http_requests_total", Labels.of("code", "500"), 1));
        assertThat(lastAuthorization).isEqualTo("Bearer s3cret");
    }

    @Test
    void anOpenMetricsAnswerIsReadAsOpenMetrics() throws Exception {
        assertThat(await(scraper(1 << 20, Duration.ofSeconds(5)).scrape(base + "/openmetrics", null)))
                .containsExactly(new ScrapedSample("http_requests_total", Labels.of("code", "200"), 42));
    }

    @Test
    void aLargeExpositionIsParsedOffTheEventLoopAndStillRead() throws Exception {
        assertThat(await(scraper(1 << 20, Duration.ofSeconds(5)).scrape(base + "/big", null)))
                .containsExactly(new ScrapedSample("http_requests_total", Labels.of("code", "200"), 5));
    }

    @Test
    void failuresSayWhatWentWrong() throws Exception {
        TargetScraper scraper = scraper(1_000, Duration.ofMillis(500));
        assertThat(failure(scraper.scrape(base + "/unavailable", null))).isEqualTo("HTTP 503 Service Unavailable");
        assertThat(failure(scraper.scrape(base + "/html", null)))
                .isEqualTo("not a valid Prometheus text exposition: line 1: expected a metric name or '#', found"
                        + " \"<html>login</html>\"");
        assertThat(failure(scraper.scrape(base + "/large", null)))
                .isEqualTo("the exposition is larger than 1000 bytes (maxScrapeBytes)");
        assertThat(failure(scraper.scrape(base + "/bomb", null)))
                .as("counted after gzip is undone").isEqualTo("the exposition is larger than 1000 bytes (maxScrapeBytes)");
        assertThat(failure(scraper.scrape(base + "/never", null))).startsWith("no complete answer within 500 ms");
        assertThat(failure(scraper.scrape("http://127.0.0.1:1/metrics", null))).contains("Connection refused");
    }
}
