package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.failure.RequestFailure;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * Requests no route can answer because the client broke HTTP: no or a malformed
 * {@code Host} / {@code :authority}, a request target that is not a path, a query string
 * that does not decode. Each is the client's fault and a 400, as kube-apiserver (Go's
 * net/http) answers it; without this check they reach the router and come out as 500s.
 */
final class MalformedRequests {

    private MalformedRequests() {
    }

    /** What is malformed, or null when the request is well-formed. */
    static RequestFailure check(HttpServerRequest request) {
        if (request.authority() == null) {
            return new RequestFailure.BadRequest(request.version() == HttpVersion.HTTP_2
                    ? "missing or malformed :authority pseudo-header"
                    : "missing or malformed Host header");
        }
        String path = request.path();
        if (path == null || !path.startsWith("/")) {
            return new RequestFailure.BadRequest("the request target must be a path starting with \"/\"");
        }
        try {
            if (request.query() != null) { // parsed once here; the handlers read the same parsed map
                request.params();
            }
        } catch (IllegalArgumentException e) { // a malformed %-escape: Netty's decoder refuses it
            return new RequestFailure.BadRequest("malformed query string: each parameter must be percent-encoded (RFC 3986)");
        }
        return null;
    }

    /** {@code OPTIONS *}: asks about the server, not a resource; answered like Go's net/http does. */
    static boolean isServerWideOptions(HttpServerRequest request) {
        return "*".equals(request.uri()) && request.method().name().equals("OPTIONS");
    }
}
