package io.demandmetrics.adapter.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;

/** Lets a request through, or fails with the {@link io.demandmetrics.adapter.failure.RequestFailure} that says why not. */
public interface RequestGate {

    Future<Void> admit(HttpServerRequest request);

    /** A connection closed: forget anything kept about it. */
    default void connectionClosed(HttpConnection connection) {
    }
}
