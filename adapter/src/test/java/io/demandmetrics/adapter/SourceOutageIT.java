package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.adapter.replicas.CuttableProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source that goes down under many metrics is one outage in the log, on the real jar: twelve
 * {@code prometheus} metrics on one server, the server cut off (connections refused) and let
 * back. One warning naming the source and how many of its metrics fail, one line when they
 * poll again; no line per metric. A metric on another server is its own source and unaffected.
 */
class SourceOutageIT {

    @TempDir
    Path dir;

    @Test
    void aSourceDownUnderTwelveMetricsIsOneWarningAndOneRecovery() throws Exception {
        try (CountingPrometheus prometheus = new CountingPrometheus();
             CuttableProxy link = new CuttableProxy(Integer.parseInt(prometheus.url().replaceAll(".*:", "")));
             CountingPrometheus other = new CountingPrometheus()) {
            StringBuilder config = new StringBuilder("metrics:\n");
            for (int i = 0; i < 12; i++) {
                config.append("  - {name: q").append(i).append(", namespace: shop, type: prometheus, pollInterval: 1s,")
                        .append(" parameters: {serverAddress: \"http://127.0.0.1:").append(link.port())
                        .append("\", query: demand_").append(i).append("}}\n");
            }
            config.append("  - {name: elsewhere, namespace: shop, type: prometheus, pollInterval: 1s,")
                    .append(" parameters: {serverAddress: \"").append(other.url()).append("\", query: other}}\n");
            try (BenchAdapter adapter = BenchAdapter.start(Path.of(System.getProperty("adapter.jar")), dir,
                    config.toString())) {
                Path log = dir.resolve("adapter.log");
                String source = "Prometheus http://127.0.0.1:" + link.port();
                // Every metric polled at least twice: the start (a cold JVM's first queries) is behind.
                await().atMost(Duration.ofSeconds(30)).until(() -> java.util.stream.IntStream.range(0, 12)
                        .allMatch(i -> prometheus.asked("demand_" + i) >= 2));
                int before = Files.readAllLines(log).size();
                link.cut();
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains(source + ": polls failing"));
                int askedElsewhere = other.asked("other");
                await().atMost(Duration.ofSeconds(10)).until(() -> other.asked("other") > askedElsewhere + 2);
                link.restore();
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains(source + ": recovered"));

                List<String> all = Files.readAllLines(log);
                List<String> lines = all.subList(before, all.size()); // since the cut
                assertThat(lines.stream().filter(l -> l.contains(source + ": polls failing")))
                        .singleElement().asString()
                        .contains("polls failing for 12 of its 12 metrics: metric \"shop/q")
                        .contains(" and 2 more; first failure: ");
                assertThat(lines.stream().filter(l -> l.contains(source + ": recovered"))).hasSize(1);
                assertThat(lines).as("no line per metric").noneMatch(l -> l.contains("poll failed"))
                        .noneMatch(l -> l.contains("polling recovered"));
            }
        }
    }
}
