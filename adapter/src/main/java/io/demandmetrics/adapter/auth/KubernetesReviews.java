package io.demandmetrics.adapter.auth;

import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.adapter.objects.ApiCallDeadline;
import io.demandmetrics.adapter.tls.Sha256;
import io.demandmetrics.scaler.support.Durations;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * TokenReview and SubjectAccessReview through the Kubernetes API, with answers cached
 * briefly (upstream caches allow and deny for 10 s). The fabric8 client blocks, so calls run
 * on a worker pool of their own. Tokens are cached by their SHA-256, never kept or logged.
 */
public final class KubernetesReviews implements TokenReviewer, AccessReviewer {

    private static final int MAX_CACHED = 10_000;
    /**
     * The longest one review may take, waiting for a worker included. The aggregator waits far
     * longer, but an HPA read stuck behind a hanging API helps no one: fail closed, fast. The
     * client's own request timeout (below this) ends a call whose answer never starts, and it
     * does not retry; {@link ApiCallDeadline} ends one whose answer stops midway, freeing the worker.
     */
    static final Duration DEADLINE = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(4);

    private final KubernetesClient client;
    private final WorkerExecutor executor;
    // Futures, not values: concurrent requests for one key share one review in flight.
    private final TtlCache<String, Future<Optional<UserInfo>>> tokens;
    private final TtlCache<String, Future<Decision>> decisions;

    public KubernetesReviews(KubernetesClient client, WorkerExecutor executor, Duration tokenTtl, Duration accessTtl,
                             Clock clock) {
        this.client = client;
        this.executor = executor;
        this.tokens = new TtlCache<>(tokenTtl, clock, MAX_CACHED);
        this.decisions = new TtlCache<>(accessTtl, clock, MAX_CACHED);
    }

    @Override
    public Future<Optional<UserInfo>> review(String token) {
        String key = Sha256.hex(token);
        Future<Optional<UserInfo>> cached = tokens.get(key);
        if (cached != null) {
            return cached;
        }
        Future<Optional<UserInfo>> reviewed = executor.executeBlocking(() -> {
            TokenReview answer = ApiCallDeadline.within(DEADLINE, () -> client.resource(new TokenReviewBuilder()
                    .withNewSpec().withToken(token).endSpec().build()).create());
            var status = answer.getStatus();
            Optional<UserInfo> user = status != null && Boolean.TRUE.equals(status.getAuthenticated())
                    && status.getUser() != null
                    ? Optional.of(new UserInfo(status.getUser().getUsername(), orEmpty(status.getUser().getGroups()),
                            orEmpty(status.getUser().getExtra())))
                    : Optional.empty();
            return user;
        }, false).timeout(DEADLINE.toMillis(), TimeUnit.MILLISECONDS).recover(e -> {
            tokens.remove(key); // failures are not remembered
            return Future.failedFuture(new RequestFailure.Unauthenticated(
                    "cannot review the bearer token: the Kubernetes API did not answer within "
                            + Durations.format(DEADLINE) + " (" + e.getClass().getSimpleName() + ")"));
        });
        tokens.put(key, reviewed);
        return reviewed;
    }

    @Override
    public Future<Decision> review(UserInfo user, RequestAttributes attributes) {
        String key = cacheKey(user, attributes);
        Future<Decision> cached = decisions.get(key);
        if (cached != null) {
            return cached;
        }
        Future<Decision> decided = executor.executeBlocking(() -> {
            SubjectAccessReviewBuilder builder = new SubjectAccessReviewBuilder().withNewSpec()
                    .withUser(user.name()).withGroups(user.groups()).withExtra(user.extra()).endSpec();
            if (attributes.resourceRequest()) {
                builder.editSpec().withNewResourceAttributes()
                        .withVerb(attributes.verb()).withGroup(attributes.group())
                        .withResource(attributes.resource()).withSubresource(attributes.subresource())
                        .withName(attributes.name()).withNamespace(attributes.namespace())
                        .endResourceAttributes().endSpec();
            } else {
                builder.editSpec().withNewNonResourceAttributes().withVerb(attributes.verb())
                        .withPath(attributes.path()).endNonResourceAttributes().endSpec();
            }
            SubjectAccessReview answer = ApiCallDeadline.within(DEADLINE, () -> client.resource(builder.build()).create());
            var status = answer.getStatus();
            return new Decision(status != null && Boolean.TRUE.equals(status.getAllowed()),
                    status == null || status.getReason() == null ? "" : status.getReason());
        }, false).timeout(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .onFailure(e -> decisions.remove(key)); // failures are not remembered
        decisions.put(key, decided);
        return decided;
    }

    /**
     * The whole review, encoded without ambiguity (JSON, extras sorted): joining Java
     * {@code toString()}s made groups {@code [system:masters, x]} and the one group
     * {@code "system:masters, x"} the same key, so one user's decision answered another's.
     */
    static String cacheKey(UserInfo user, RequestAttributes attributes) {
        JsonObject extra = new JsonObject();
        new TreeMap<>(user.extra()).forEach((name, values) -> extra.put(name, new JsonArray(List.copyOf(values))));
        return new JsonObject()
                .put("user", user.name())
                .put("groups", new JsonArray(List.copyOf(user.groups())))
                .put("extra", extra)
                .put("resourceRequest", attributes.resourceRequest())
                .put("verb", attributes.verb())
                .put("group", attributes.group())
                .put("namespace", attributes.namespace())
                .put("resource", attributes.resource())
                .put("subresource", attributes.subresource())
                .put("name", attributes.name())
                .put("path", attributes.resourceRequest() ? "" : attributes.path())
                .encode();
    }

    /** Closes the client the reviews use. */
    void close() {
        client.close();
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }
}
