package io.demandmetrics.scaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.testfixtures.PrometheusServer;
import io.demandmetrics.scaler.testkit.TestScalerContext;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prometheus killed and started again under a metric: a clear error meanwhile, then values on its own. */
class PrometheusRestartTest {

    private static List<Sample> fetch(Scaler scaler) throws Exception {
        return scaler.fetch().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void aKilledServerIsAnErrorAndItsReturnIsNoticedWithoutHelp(@TempDir Path dir) throws Exception {
        Vertx vertx = Vertx.vertx();
        PrometheusServer prometheus = PrometheusServer.startWithConfig(dir,
                "global: {evaluation_interval: 1s}\nscrape_configs: []\n");
        try {
            PrometheusScalerProvider provider = new PrometheusScalerProvider();
            Scaler scaler = new TestScalerContext(vertx, "prometheus", "shop/orders").createScaler(provider,
                    provider.parseConfig(Map.of("serverAddress", prometheus.url(), "query", "vector(4)",
                            "timeout", "2s")));
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> fetch(scaler).get(0).value() == 4.0);

            prometheus.kill();
            try {
                fetch(scaler);
                throw new AssertionError("a query to a killed server succeeded");
            } catch (ExecutionException e) {
                assertThat(e.getCause().getMessage()).startsWith("cannot query " + prometheus.url() + ": ");
            }

            prometheus.restart();
            // The same scaler and shared client, nothing reset: the next queries reach the new process.
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> fetch(scaler).get(0).value() == 4.0);
            scaler.close();
        } finally {
            prometheus.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
