package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.spi.Sample;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** What a slow or idle client may hold: bounded by the header deadline and the idle timeout. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowClientsIT {

    @TempDir
    static Path dir;
    private Adapter adapter;

    @BeforeAll
    void start() throws Exception {
        TestValuesScalerProvider.set("slow", List.of(Sample.of(1)));
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "metrics:\n  - {name: m, namespace: shop, type: test-values, parameters: {source: slow}}\n");
        adapter = TestAdapters.start(dir, config, Clock.systemUTC(), "--read-header-timeout", "300ms",
                "--idle-timeout", "700ms");
    }

    @AfterAll
    void stop() {
        adapter.stop();
    }

    @Test
    void aClientThatSendsHeadersSlowlyIsClosedAtTheDeadline() throws Exception {
        try (RawTls raw = RawTls.connect(adapter.port())) {
            raw.write("GET /apis HTTP/1.1\r\n");
            // One header byte at a time keeps the connection from ever being idle.
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
                try {
                    raw.write("X");
                    return false;
                } catch (java.io.IOException closed) {
                    return true;
                }
            });
        }
    }

    @Test
    void theNextRequestOnAKeptAliveConnectionHasIdlePlusHeaderTime() throws Exception {
        try (RawTls raw = RawTls.connect(adapter.port())) {
            raw.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(raw.readResponse().code()).isEqualTo(200);
            raw.write("GET /healthz HTTP/1.1\r\n"); // and never the rest
            await().atMost(Duration.ofSeconds(5)).until(raw::closedByServer);
        }
    }

    @Test
    void aConnectionThatNeverSendsARequestIsClosedAtTheHeaderDeadline() throws Exception {
        try (RawTls raw = RawTls.connect(adapter.port())) {
            await().atMost(Duration.ofSeconds(5)).until(raw::closedByServer);
        }
    }

    /**
     * A kept-alive HTTP/1.1 connection silent after its answer is closed at the idle timeout,
     * however long the header deadline (the wait for the next request is bounded by both).
     */
    @Test
    void aKeptAliveHttp1ConnectionSilentForTheIdleTimeoutIsClosed() throws Exception {
        Adapter longHeaderDeadline = TestAdapters.start(dir.resolve("long-header-deadline"), dir.resolve("config.yaml"),
                Clock.systemUTC(), "--read-header-timeout", "60s", "--idle-timeout", "500ms");
        try (RawTls raw = RawTls.connect(longHeaderDeadline.port())) {
            raw.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(raw.readResponse().code()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(raw::closedByServer);
        } finally {
            longHeaderDeadline.stop();
        }
    }

    /**
     * What the header deadline does not bound, the idle timeout closes: an HTTP/2 connection
     * after its first stream, silent since. Counted at /metrics by a reader whose own
     * connection is never idle long (it asks every 100 ms).
     */
    @Test
    void anIdleHttp2ConnectionIsClosedAfterItsFirstStream() throws Exception {
        HttpClient reader = TestAdapters.client(TestAdapters.certFile(dir));
        double before = openConnections(reader);
        HttpClient idle = TestAdapters.client(TestAdapters.certFile(dir));
        HttpResponse<String> first = TestAdapters.get(idle, adapter, "/healthz");
        assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(openConnections(reader)).isEqualTo(before + 1);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> openConnections(reader) == before);
    }

    private double openConnections(HttpClient reader) throws Exception {
        return TestAdapters.meter(TestAdapters.get(reader, adapter, "/metrics").body(),
                "demand_adapter_http_connections_open");
    }

    @Test
    void aClientThatKeepsUpIsServedOnOneConnection() throws Exception {
        try (RawTls raw = RawTls.connect(adapter.port())) {
            for (int i = 0; i < 3; i++) {
                raw.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(raw.readResponse().code()).isEqualTo(200);
            }
        }
    }

    @Test
    void anEphemeralPortIsSharedBySeveralEventLoops() throws Exception {
        Path config = dir.resolve("config.yaml");
        Adapter twoLoops = TestAdapters.start(dir.resolve("two-loops"), config, Clock.systemUTC(), "--event-loops", "2");
        try {
            HttpClient client = TestAdapters.client(TestAdapters.certFile(dir.resolve("two-loops")));
            for (int i = 0; i < 4; i++) {
                assertThat(TestAdapters.get(client, twoLoops, "/healthz").statusCode()).isEqualTo(200);
            }
        } finally {
            twoLoops.stop();
        }
    }
}
