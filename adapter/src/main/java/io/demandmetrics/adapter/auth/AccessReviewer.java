package io.demandmetrics.adapter.auth;

import io.vertx.core.Future;

/** Decides whether a user may make a request (SubjectAccessReview). */
public interface AccessReviewer {

    /** The decision; a failed future when no one could decide. */
    Future<Decision> review(UserInfo user, RequestAttributes attributes);

    /** Allowed or not, and the authorizer's reason. */
    record Decision(boolean allowed, String reason) {
    }
}
