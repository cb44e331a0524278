package io.demandmetrics.adapter.http;

/**
 * How much of a request the server reads, the same on HTTP/1.1 and HTTP/2 where the protocols
 * allow: past these, a request is answered 414 or 431 with a Status, never with a closed
 * connection. A label selector in the query is the longest thing a legitimate caller sends; an
 * HPA's is well under a kilobyte.
 */
final class RequestLimits {

    /**
     * The longest request line (HTTP/1.1: method, target and version; Netty's decoder refuses
     * longer ones) and the longest {@code :path} (HTTP/2: checked per request).
     */
    static final int MAX_REQUEST_LINE = 8192;

    /** The most header bytes an HTTP/1.1 request may carry (Netty's decoder refuses more). */
    static final int MAX_HEADER_BYTES = 8192;

    /**
     * The largest HTTP/2 header list, advertised in SETTINGS_MAX_HEADER_LIST_SIZE. Larger than
     * the request line, so that a {@code :path} too long for us still arrives and is answered
     * 414 on its stream. A header list above it is answered 431 on its stream by Netty; one
     * more than a quarter above it is a connection error (Netty's GOAWAY), which RFC 9113
     * (section 10.5.1) allows for a peer that ignores the advertised limit.
     */
    static final int MAX_HEADER_LIST_SIZE = 32 * 1024;

    private RequestLimits() {
    }
}
