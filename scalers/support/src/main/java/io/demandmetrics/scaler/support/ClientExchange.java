package io.demandmetrics.scaler.support;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import java.util.function.Function;

/**
 * One request and the reading of its answer, with the reader attached to the response before
 * the request is sent.
 *
 * <p>Why not {@code client.request(options).compose(r -> r.send()).compose(read)}: Vert.x 5's
 * client hands a response's body and end to the handlers the response has when they arrive, and
 * drops them when it has none (vert.x issue 5904). In that chain {@code read} is a listener of
 * the outer future, which Vert.x may run in a later event-loop task than the one that delivered
 * the response's head; when the body arrived in the same read as the head, {@code read} then
 * asks for a body that is already gone, and waits until its timeout (or forever, without one).
 * Seen on this project's own HTTP/2 client: one request in a few hundred thousand, in each stall
 * traced with the body's end delivered before the reader asked for it (bench/RESULTS.md,
 * "A stalled request of the benchmark client"). Attached here to {@link HttpClientRequest#response()}
 * before the request is written, {@code read} runs in the task that delivers the head, so its
 * handlers are in place before any byte of the body is handed over.
 */
public final class ClientExchange {

    private ClientExchange() {
    }

    /**
     * Sends a request without a body and reads its answer with {@code read}.
     *
     * @param read sets the response's handlers (or asks for its body) before it returns
     * @return what {@code read} made of the answer; failed when the request could not be sent
     *     or the answer not read
     */
    public static <T> Future<T> send(HttpClient client, RequestOptions options,
                                     Function<HttpClientResponse, Future<T>> read) {
        return client.request(options).compose(request -> send(request, read));
    }

    /**
     * Sends {@code request}, just obtained from its client and not yet written, and reads its
     * answer with {@code read} (for a caller that treats a failure to obtain it apart).
     */
    public static <T> Future<T> send(HttpClientRequest request, Function<HttpClientResponse, Future<T>> read) {
        return exchange(request, null, read);
    }

    /** Sends a request with {@code body} and reads its answer with {@code read}. */
    public static <T> Future<T> send(HttpClient client, RequestOptions options, Buffer body,
                                     Function<HttpClientResponse, Future<T>> read) {
        return client.request(options).compose(request -> exchange(request, body, read));
    }

    /** The reader attached, then the request written: with {@code body}, or without one when it is null. */
    private static <T> Future<T> exchange(HttpClientRequest request, Buffer body,
                                          Function<HttpClientResponse, Future<T>> read) {
        Future<T> answer = request.response().compose(read);
        if (body == null) {
            request.end();
        } else {
            request.end(body);
        }
        return answer;
    }
}
