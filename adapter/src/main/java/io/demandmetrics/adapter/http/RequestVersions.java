package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.failure.RequestFailure;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The version in an HTTP/1 request line, judged before Vert.x sees the request. Vert.x answers
 * {@code 501 Not Implemented} to any version other than exactly {@code HTTP/1.0} or
 * {@code HTTP/1.1}, before any handler of ours runs; but a malformed version is the client's
 * fault. So, as Go's net/http (kube-apiserver's server) judges it:
 * <ul>
 * <li>{@code HTTP/1.x} with a minor version above 1 is served as HTTP/1.1 (RFC 9112, section
 *     2.3: a higher minor version is understood as the highest one the server speaks);</li>
 * <li>a well-formed version with a major version above 1 ({@code HTTP/2.0} in an HTTP/1
 *     request line) is {@code 505 HTTP Version Not Supported};</li>
 * <li>anything else ({@code http/1.1}, {@code HTTP/0.9}, {@code FTP/1.1}, {@code HTTP/1.10})
 *     is {@code 400 Bad Request}.</li>
 * </ul>
 * Netty's decoder already refuses what does not look like {@code NAME/digits.digits}
 * ({@code HTTP/1.1x}); what it accepts reaches this check as a version object other than
 * its two constants, upper-cased. The refused ones travel on as failed requests, which the
 * server's invalid-request handler answers ({@link MalformedRequests#ofDecoding}).
 */
final class RequestVersions {

    private RequestVersions() {
    }

    /**
     * The request as Vert.x should see it: itself when its version is {@code HTTP/1.1} or
     * {@code HTTP/1.0} or the decoder already refused it; else served as HTTP/1.1, or failed
     * with the status its version calls for. ({@link Http1Connections} calls it for every request
     * read, between the decoder and Vert.x.)
     */
    static HttpRequest judged(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        if (version == HttpVersion.HTTP_1_1 || version == HttpVersion.HTTP_1_0 || !request.decoderResult().isSuccess()) {
            return request;
        }
        return judged(request, version);
    }

    private static HttpRequest judged(HttpRequest request, HttpVersion version) {
        DefaultHttpRequest replaced = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(),
                request.headers());
        // Netty upper-cases the version and returns its constants only for the exact text: a
        // version whose text equals a constant's was written in another case.
        boolean wellFormed = version.protocolName().equals("HTTP") && version.text().length() == "HTTP/1.1".length()
                && !version.text().equals("HTTP/1.1") && !version.text().equals("HTTP/1.0");
        if (wellFormed && version.majorVersion() == 1 && version.minorVersion() >= 2) {
            return replaced;
        }
        RequestFailure failure = wellFormed && version.majorVersion() >= 2
                ? new RequestFailure.UnsupportedVersion("HTTP version not supported: this server speaks HTTP/1.0 and"
                        + " HTTP/1.1 in a request line, and HTTP/2 negotiated by TLS ALPN")
                : new RequestFailure.BadRequest("malformed HTTP version in the request line: it must be HTTP/1.1 or"
                        + " HTTP/1.0, in upper case");
        replaced.setDecoderResult(DecoderResult.failure(failure));
        return replaced;
    }
}
