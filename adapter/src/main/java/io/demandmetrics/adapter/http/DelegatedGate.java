package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.adapter.auth.AccessReviewer;
import io.demandmetrics.adapter.auth.RequestAttributes;
import io.demandmetrics.adapter.auth.RequestAuthenticator;
import io.demandmetrics.adapter.auth.UserInfo;
import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.Set;

/**
 * In-cluster mode: every request is authenticated (front proxy, client certificate or bearer
 * token) and authorized with a SubjectAccessReview, except the always-allowed paths (probes).
 */
public final class DelegatedGate implements RequestGate {

    private final RequestAuthenticator authenticator;
    private final AccessReviewer access;
    private final Set<String> alwaysAllowPaths;

    public DelegatedGate(RequestAuthenticator authenticator, AccessReviewer access, Set<String> alwaysAllowPaths) {
        this.authenticator = authenticator;
        this.access = access;
        this.alwaysAllowPaths = Set.copyOf(alwaysAllowPaths);
    }

    @Override
    public Future<Void> admit(HttpServerRequest request) {
        if (alwaysAllowPaths.contains(request.path())) {
            return Future.succeededFuture();
        }
        String path = request.path();
        // Who is asking comes first: an anonymous caller learns nothing about the path's validity.
        return authenticator.authenticate(request).compose(user -> authorize(user, RequestAttributes.of(path)));
    }

    @Override
    public void connectionClosed(HttpConnection connection) {
        authenticator.connectionClosed(connection);
    }

    private Future<Void> authorize(UserInfo user, RequestAttributes attributes) {
        return access.review(user, attributes)
                .recover(e -> Future.failedFuture(e instanceof RequestFailure ? e : new RequestFailure.AuthorizationUnavailable(
                        "cannot check authorization: the Kubernetes API did not answer ("
                                + e.getClass().getSimpleName() + ")")))
                .compose(decision -> decision.allowed() ? Future.<Void>succeededFuture()
                        : Future.failedFuture(new RequestFailure.Forbidden("user \"" + user.name() + "\" cannot "
                                + attributes.describe() + (decision.reason().isEmpty() ? "" : ": " + decision.reason()))));
    }
}
