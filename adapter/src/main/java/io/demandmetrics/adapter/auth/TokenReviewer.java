package io.demandmetrics.adapter.auth;

import io.vertx.core.Future;
import java.util.Optional;

/** Checks bearer tokens (TokenReview). */
public interface TokenReviewer {

    /** The token's user, empty when the token is not valid; a failed future when no one could say. */
    Future<Optional<UserInfo>> review(String token);
}
