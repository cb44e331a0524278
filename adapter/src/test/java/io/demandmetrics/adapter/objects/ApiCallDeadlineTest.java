package io.demandmetrics.adapter.objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandmetrics.adapter.replicas.CuttableProxy;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call to the Kubernetes mock (CRUD mode) through a proxy that stalls answers after their
 * head: the client's own request timeout does not end such a call, the deadline does, and the
 * thread goes on as before.
 */
class ApiCallDeadlineTest {

    private static final Duration BOUND = Duration.ofMillis(500);

    private KubernetesMockServer api;
    private CuttableProxy link;
    private KubernetesClient client;

    @BeforeEach
    void start() throws Exception {
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesMixedDispatcher(new HashMap<>()), false);
        api.init(InetAddress.getByName("127.0.0.1"), 0);
        api.createClient().configMaps().inNamespace("team").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("settings").endMetadata().addToData("a", "1").build()).create();
        link = new CuttableProxy(api.getPort());
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(api.createClient().getConfiguration())
                .withMasterUrl("http://127.0.0.1:" + link.port()).withRequestTimeout(200)
                .withRequestRetryBackoffLimit(0).build()).build();
    }

    @AfterEach
    void stop() {
        client.close();
        link.close();
        api.destroy();
    }

    private String read() {
        return client.configMaps().inNamespace("team").withName("settings").get().getData().get("a");
    }

    @Test
    @Timeout(20) // without the deadline the stalled call waits for good (JUnit interrupts it then)
    void anAnswerThatStopsAfterItsHeadEndsAtTheBoundAndTheThreadGoesOn() {
        assertThat(ApiCallDeadline.within(BOUND, this::read)).isEqualTo("1");
        link.stall();
        assertThatThrownBy(() -> ApiCallDeadline.within(BOUND, this::read))
                .isInstanceOf(KubernetesClientException.class).hasMessage("no whole answer within 500ms");
        assertThat(Thread.currentThread().isInterrupted()).as("the alarm's interrupt is cleared").isFalse();
        link.restore();
        assertThat(ApiCallDeadline.within(BOUND, this::read)).isEqualTo("1");
    }
}
