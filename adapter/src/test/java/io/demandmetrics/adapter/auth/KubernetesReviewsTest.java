package io.demandmetrics.adapter.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandmetrics.adapter.replicas.ReviewingApi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Token reviews against the Kubernetes mock (which knows one token, alice's) through a proxy
 * that can stall answers after their head ({@link ReviewingApi}).
 */
class KubernetesReviewsTest {

    private ReviewingApi api;
    private Vertx vertx;

    @BeforeEach
    void start() throws Exception {
        api = new ReviewingApi(spec -> "alice-token".equals(spec.getString("token"))
                ? new JsonObject().put("authenticated", true).put("user", new JsonObject().put("username", "alice"))
                : new JsonObject().put("authenticated", false), KubernetesReviews.REQUEST_TIMEOUT);
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        api.close();
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aReviewWhoseAnswerStallsFailsClosedAndFreesItsWorkerForTheNext() throws Exception {
        // One worker: a review that held it for good would fail every later one at its deadline.
        KubernetesReviews reviews = new KubernetesReviews(api.client(), vertx.createSharedWorkerExecutor("reviews", 1),
                Duration.ofSeconds(10), Duration.ofSeconds(10), Clock.systemUTC());
        api.link().stall();
        assertThatThrownBy(() -> await(reviews.review("alice-token"))).isInstanceOf(ExecutionException.class)
                .cause().hasMessageStartingWith("cannot review the bearer token: the Kubernetes API did not answer");
        api.link().restore();
        assertThat(await(reviews.review("alice-token"))).map(UserInfo::name).contains("alice");
    }
}
