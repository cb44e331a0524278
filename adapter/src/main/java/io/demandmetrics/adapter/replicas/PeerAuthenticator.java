package io.demandmetrics.adapter.replicas;

import io.demandmetrics.adapter.auth.TtlCache;
import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.adapter.objects.ApiCallDeadline;
import io.demandmetrics.adapter.tls.Sha256;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Who may push readings to this replica: another replica of the same Deployment, proven by
 * the bearer token the kubelet projects for it with the peer audience, checked by TokenReview
 * (the API server verifies signature, expiry, audience and that its pod still runs) and then
 * by name: it must be this replica's own service account. Anything else is refused: no token
 * 401, another identity or audience 403. Reviews are cached for a minute by the token's digest.
 */
public final class PeerAuthenticator {

    /** The audience peer tokens are projected for; the Kubernetes API refuses such a token for itself. */
    public static final String AUDIENCE = "demand-metrics-adapter-peers";
    private static final Duration CACHED = Duration.ofMinutes(1);
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private final KubernetesClient client;
    private final WorkerExecutor executor;
    private final String expectedSubject;
    private final TtlCache<String, Future<String>> reviewed;

    /** @param expectedSubject {@code system:serviceaccount:ns:name}, this replica's own */
    public PeerAuthenticator(KubernetesClient client, WorkerExecutor executor, String expectedSubject, Clock clock) {
        this.client = client;
        this.executor = executor;
        this.expectedSubject = expectedSubject;
        this.reviewed = new TtlCache<>(CACHED, clock, 1_000);
    }

    /**
     * Succeeds when {@code authorization} carries a peer's token; fails with
     * {@link RequestFailure.Unauthenticated} or {@link RequestFailure.Forbidden} saying why.
     */
    public Future<Void> check(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ") || authorization.length() <= 7) {
            return Future.failedFuture(new RequestFailure.Unauthenticated("a peer sends its projected token as a bearer token"));
        }
        String token = authorization.substring(7).trim();
        String key = Sha256.hex(token);
        Future<String> subject = reviewed.get(key);
        if (subject == null) {
            subject = executor.executeBlocking(() -> review(token), false)
                    .timeout(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            subject.onFailure(e -> reviewed.remove(key)); // failures are not remembered
            reviewed.put(key, subject);
        }
        return subject.transform(answer -> {
            if (answer.failed()) {
                return Future.failedFuture(answer.cause() instanceof RequestFailure ? answer.cause()
                        : new RequestFailure.Unauthenticated("cannot review the peer's token: the Kubernetes API"
                                + " did not answer (" + answer.cause().getClass().getSimpleName() + ")"));
            }
            if (!expectedSubject.equals(answer.result())) {
                return Future.failedFuture(new RequestFailure.Forbidden(
                        "only replicas of this adapter (" + expectedSubject + ") may push readings"));
            }
            return Future.succeededFuture();
        });
    }

    /** The token's subject when the API authenticates it for the peer audience, else Unauthenticated. */
    private String review(String token) {
        TokenReview answer = ApiCallDeadline.within(DEADLINE, () -> client.resource(new TokenReviewBuilder()
                .withNewSpec().withToken(token).withAudiences(AUDIENCE).endSpec().build()).create());
        var status = answer.getStatus();
        if (status == null || !Boolean.TRUE.equals(status.getAuthenticated()) || status.getUser() == null) {
            throw new RequestFailure.Unauthenticated("the peer's token is not valid"
                    + (status == null || status.getError() == null ? "" : ": " + status.getError()));
        }
        List<String> audiences = status.getAudiences();
        if (audiences != null && !audiences.isEmpty() && !audiences.contains(AUDIENCE)) {
            throw new RequestFailure.Unauthenticated("the peer's token is not for audience " + AUDIENCE);
        }
        return status.getUser().getUsername();
    }
}
