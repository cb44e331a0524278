package io.demandmetrics.adapter;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keep-alive HTTP/1.1 clients on raw TLS sockets that never retry a request: each writes its
 * next request as soon as the last is answered, connects anew only when an answer said
 * {@code Connection: close}, and stops once a connection is refused. JDK's client hides lost
 * requests by resending a GET whose kept-alive connection was closed under it; these do not.
 *
 * <p>Each request ends as one of: answered (any status but a 503 from a server refusing the
 * connection), refused (a connect or TLS handshake that failed, or the 503 Vert.x writes on a
 * connection whose handshake ended after listening stopped, before reading any request), or
 * lost: written on an open connection that then closed without an answer.
 */
final class NeverRetryingHttp1Clients extends NeverRetryingClients {

    final AtomicInteger connections = new AtomicInteger();

    /** One client per path, each on its own thread. */
    NeverRetryingHttp1Clients(int port, List<String> paths) {
        start(port, paths);
    }

    @Override
    void run(int port, String path) {
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n";
        RawTls connection = null;
        while (running()) {
            if (connection == null) {
                try {
                    connection = RawTls.connect(port);
                    connections.incrementAndGet();
                } catch (Exception e) { // refused, reset or ended during the handshake: nothing was sent
                    refused.incrementAndGet();
                    return;
                }
            }
            RawTls.Response response;
            try {
                connection.write(request);
                response = connection.readResponse();
            } catch (IOException e) {
                lost(e.getClass().getSimpleName() + ": " + e.getMessage());
                close(connection);
                connection = null;
                continue;
            }
            if (response.code() == 503 && response.headers().startsWith("HTTP/1.1 503 Service Unavailable\r\nContent-Length:0")) {
                refused.incrementAndGet(); // Vert.x's refusal of a connection that came too late
                return;
            }
            answered.incrementAndGet();
            if (response.headers().toLowerCase(Locale.ROOT).contains("\r\nconnection: close")) {
                close(connection);
                connection = null;
            }
        }
        close(connection);
    }

    private static void close(RawTls connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException ignored) {
                // closing a socket the server already closed
            }
        }
    }
}
