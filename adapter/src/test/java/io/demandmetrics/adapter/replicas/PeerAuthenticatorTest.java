package io.demandmetrics.adapter.replicas;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A peer's token reviewed against the Kubernetes mock (which knows the adapter's own peer
 * token) through a proxy that can stall answers after their head ({@link ReviewingApi}).
 */
class PeerAuthenticatorTest {

    private static final String ADAPTER = "system:serviceaccount:adapters:demand-metrics-adapter";

    private ReviewingApi api;
    private Vertx vertx;

    @BeforeEach
    void start() throws Exception {
        api = new ReviewingApi(spec -> new JsonObject().put("authenticated", "peer-token".equals(spec.getString("token")))
                .put("user", new JsonObject().put("username", ADAPTER))
                .put("audiences", new JsonArray().add(PeerAuthenticator.AUDIENCE)), Duration.ofSeconds(4));
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        api.close();
    }

    private static void await(Future<Void> future) throws Exception {
        future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aReviewWhoseAnswerStallsRefusesThePeerAndFreesItsWorkerForTheNext() {
        // One worker: a review that held it for good would refuse every later push at its deadline.
        PeerAuthenticator peers = new PeerAuthenticator(api.client(), vertx.createSharedWorkerExecutor("peer-reviews", 1),
                ADAPTER, Clock.systemUTC());
        api.link().stall();
        assertThatThrownBy(() -> await(peers.check("Bearer peer-token"))).isInstanceOf(ExecutionException.class)
                .cause().hasMessageStartingWith("cannot review the peer's token: the Kubernetes API did not answer");
        api.link().restore();
        assertThatCode(() -> await(peers.check("Bearer peer-token"))).doesNotThrowAnyException();
    }
}
