package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.spi.Sample;
import java.net.http.HttpClient;
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
            long started = System.nanoTime();
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
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
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
    void anIdleConnectionIsClosed() throws Exception {
        try (RawTls raw = RawTls.connect(adapter.port())) {
            await().atMost(Duration.ofSeconds(5)).until(raw::closedByServer);
        }
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
