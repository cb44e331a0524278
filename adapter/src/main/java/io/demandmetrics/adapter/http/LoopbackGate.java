package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.failure.RequestFailure;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

/**
 * Standalone mode: no one is authenticated, so anonymous requests are served on loopback only.
 * With a client CA the TLS layer has already required a certificate from it. Startup refuses a
 * non-loopback bind without one; this is the same rule per connection, in case of doubt.
 */
public final class LoopbackGate implements RequestGate {

    private final boolean clientCertificatesRequired;

    public LoopbackGate(boolean clientCertificatesRequired) {
        this.clientCertificatesRequired = clientCertificatesRequired;
    }

    @Override
    public Future<Void> admit(HttpServerRequest request) {
        // host(): the address's text as the connection was accepted with it, kept with the
        // connection; hostAddress() would format the IP again for every request.
        if (clientCertificatesRequired || isLoopback(request.connection().localAddress().host())) {
            return Future.succeededFuture();
        }
        return Future.failedFuture(new RequestFailure.Unauthenticated("anonymous requests are served on loopback only"));
    }

    private static boolean isLoopback(String host) {
        return host != null && (host.startsWith("127.") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1"));
    }
}
