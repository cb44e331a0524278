package io.demandmetrics.adapter.replicas;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.function.Function;

/**
 * The Kubernetes mock answering each TokenReview with the status a function gives for its spec
 * (everything else CRUD), reached through a {@link CuttableProxy} that can stall its answers, by
 * a client with a request timeout and no retries (as the adapter's reviewers have).
 */
public final class ReviewingApi implements AutoCloseable {

    private final KubernetesMockServer api;
    private final CuttableProxy link;
    private final KubernetesClient client;

    public ReviewingApi(Function<JsonObject, JsonObject> statusForSpec, Duration requestTimeout) throws Exception {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        api = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations), false);
        api.init(InetAddress.getByName("127.0.0.1"), 0);
        api.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(201, request -> {
            JsonObject review = new JsonObject(request.getUtf8Body());
            return review.put("status", statusForSpec.apply(review.getJsonObject("spec"))).encode();
        }).always();
        link = new CuttableProxy(api.getPort());
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(api.createClient().getConfiguration())
                .withMasterUrl("http://127.0.0.1:" + link.port()).withRequestTimeout((int) requestTimeout.toMillis())
                .withRequestRetryBackoffLimit(0).build()).build();
    }

    public KubernetesClient client() {
        return client;
    }

    /** Between the client and the API. */
    public CuttableProxy link() {
        return link;
    }

    @Override
    public void close() {
        client.close();
        link.close();
        api.destroy();
    }
}
