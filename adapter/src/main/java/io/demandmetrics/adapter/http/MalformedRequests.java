package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.api.PathSegments;
import io.demandmetrics.adapter.failure.RequestFailure;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.internal.http.HttpServerRequestInternal;

/**
 * Requests no route can answer because the client broke HTTP: no or a malformed {@code Host} /
 * {@code :authority}, a request target that is not a path, a query string that does not
 * decode (each a 400, as kube-apiserver, Go's net/http, answers it; without this check they
 * reach the router and come out as 500s), an HTTP/2 {@code :path} longer than the server reads
 * (414); and HTTP/1 requests the decoder could not read ({@link #ofDecoding}).
 */
final class MalformedRequests {

    private MalformedRequests() {
    }

    /** What is malformed, or null when the request is well-formed. */
    static RequestFailure check(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2 && request.uri().length() > RequestLimits.MAX_REQUEST_LINE) {
            // HTTP/1.1's decoder refuses a request line this long (414 from ofDecoding); HTTP/2's
            // header list may be longer, so its :path is held to the same limit here.
            return new RequestFailure.TargetTooLong("the request target is longer than the server reads ("
                    + RequestLimits.MAX_REQUEST_LINE + " bytes)");
        }
        if (!hasValidAuthority(request)) {
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

    /**
     * Whether the {@code Host} header or {@code :authority} parses, as {@code authority() != null}
     * says, without building the parsed authority, which the adapter never reads (Vert.x's own
     * requests offer this check; any other request is parsed).
     */
    private static boolean hasValidAuthority(HttpServerRequest request) {
        return request instanceof HttpServerRequestInternal internal ? internal.isValidAuthority()
                : request.authority() != null;
    }

    /**
     * Why the HTTP/1 decoder refused a request (or {@link RequestVersions} its version): a
     * request line longer than the server reads is 414, header fields larger than it reads 431
     * (as Go's net/http answers both), the rest 400. Netty's own message is not echoed: it
     * quotes the client's bytes.
     */
    static RequestFailure ofDecoding(Throwable cause) {
        if (cause instanceof RequestFailure failure) {
            return failure;
        }
        if (cause instanceof TooLongHttpLineException) {
            return new RequestFailure.TargetTooLong("the request line is longer than the server reads ("
                    + RequestLimits.MAX_REQUEST_LINE + " bytes)");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return new RequestFailure.HeadersTooLarge("the request's header fields are larger than the server reads ("
                    + RequestLimits.MAX_HEADER_BYTES + " bytes)");
        }
        return new RequestFailure.BadRequest("malformed HTTP/1 request: the request line or a header field does not"
                + " parse (RFC 9112)");
    }

    /**
     * A path the router cannot match: a %-escape that is not % and two hex digits (vertx-web's
     * path normalisation throws on it, logged as an unhandled exception). Checked after the
     * gate, as the metrics API's own path decoding is: who may not ask is told 401 or 403
     * before anything about the request.
     *
     * @return the failure, or null when the path is well escaped
     */
    static RequestFailure malformedPath(HttpServerRequest request) {
        String path = request.path();
        return !PathSegments.wellEscaped(path)
                ? new RequestFailure.BadRequest("malformed percent-encoding in path: each %-escape must be % and two"
                        + " hex digits (RFC 3986)")
                : null;
    }

    /** {@code OPTIONS *}: asks about the server, not a resource; answered like Go's net/http does. */
    static boolean isServerWideOptions(HttpServerRequest request) {
        return "*".equals(request.uri()) && request.method().name().equals("OPTIONS");
    }
}
