package io.demandmetrics.adapter.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandmetrics.adapter.replicas.CuttableProxy;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Token reviews against the Kubernetes mock (which knows one token, alice's) through a proxy
 * that can stall answers after their head.
 */
class KubernetesReviewsTest {

    private KubernetesMockServer api;
    private CuttableProxy link;
    private KubernetesClient client;
    private Vertx vertx;

    @BeforeEach
    void start() throws Exception {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        api = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations), false);
        api.init(InetAddress.getByName("127.0.0.1"), 0);
        api.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(201, request -> {
            JsonObject review = new JsonObject(request.getUtf8Body());
            boolean known = "alice-token".equals(review.getJsonObject("spec").getString("token"));
            return review.put("status", known ? new JsonObject().put("authenticated", true)
                    .put("user", new JsonObject().put("username", "alice"))
                    : new JsonObject().put("authenticated", false)).encode();
        }).always();
        link = new CuttableProxy(api.getPort());
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(api.createClient().getConfiguration())
                .withMasterUrl("http://127.0.0.1:" + link.port())
                .withRequestTimeout((int) KubernetesReviews.REQUEST_TIMEOUT.toMillis())
                .withRequestRetryBackoffLimit(0).build()).build();
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        client.close();
        link.close();
        api.destroy();
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aReviewWhoseAnswerStallsFailsClosedAndFreesItsWorkerForTheNext() throws Exception {
        // One worker: a review that held it for good would fail every later one at its deadline.
        KubernetesReviews reviews = new KubernetesReviews(client, vertx.createSharedWorkerExecutor("reviews", 1),
                Duration.ofSeconds(10), Duration.ofSeconds(10), Clock.systemUTC());
        link.stall();
        assertThatThrownBy(() -> await(reviews.review("alice-token"))).isInstanceOf(ExecutionException.class)
                .cause().hasMessageStartingWith("cannot review the bearer token: the Kubernetes API did not answer");
        link.restore();
        assertThat(await(reviews.review("alice-token"))).map(UserInfo::name).contains("alice");
    }
}
