package io.demandmetrics.scaler.requests.scrape;

import io.demandmetrics.scaler.requests.exposition.ExpositionException;
import io.demandmetrics.scaler.requests.exposition.ExpositionParser;
import io.demandmetrics.scaler.requests.exposition.Format;
import io.demandmetrics.scaler.requests.exposition.ScrapedSample;
import io.demandmetrics.scaler.support.ClientExchange;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;

/**
 * One scrape of one target: GET with the Accept header Prometheus sends, a body bounded in
 * bytes (counted after gzip is undone, so a small compressed bomb is caught too), the whole
 * scrape bounded in time, and the exposition parsed for the wanted samples. Non-blocking: the
 * body is collected on the event loop, and parsed there when small (the usual case), on a
 * worker when large.
 */
public final class TargetScraper {

    /** Bodies up to this are parsed on the event loop: well under a millisecond of work. */
    static final int PARSE_ON_LOOP_BYTES = 256 * 1024;

    private final Vertx vertx;
    private final HttpClient client;
    private final ExpositionParser parser;
    private final long maxBytes;
    private final Duration timeout;

    /**
     * @param client an HTTP client with decompression on (and TLS set up for https targets)
     * @param maxBytes the largest exposition accepted, uncompressed
     * @param timeout for the whole scrape, connection to last byte: shorter than the scrape interval
     */
    public TargetScraper(Vertx vertx, HttpClient client, ExpositionParser parser, long maxBytes, Duration timeout) {
        this.vertx = vertx;
        this.client = client;
        this.parser = parser;
        this.maxBytes = maxBytes;
        this.timeout = timeout;
    }

    /**
     * The wanted samples of {@code url}'s exposition; fails with a {@link ScrapeException}
     * saying what went wrong (status, size, timeout, parse error with its line).
     *
     * @param bearerToken sent as {@code Authorization: Bearer}, or null
     */
    public Future<List<ScrapedSample>> scrape(String url, String bearerToken) {
        if (Vertx.currentContext() == null) {
            // Called off Vert.x (a test, a tool): the chain below must be built on the event
            // loop, or a small answer can end before body() sets its handlers, and Vert.x then
            // refuses them (IllegalStateException).
            Promise<List<ScrapedSample>> result = Promise.promise();
            vertx.runOnContext(start -> scrapeOnContext(url, bearerToken).onComplete(result));
            return result.future();
        }
        return scrapeOnContext(url, bearerToken);
    }

    private Future<List<ScrapedSample>> scrapeOnContext(String url, String bearerToken) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(url)
                .setTimeout(timeout.toMillis())
                .putHeader(HttpHeaders.ACCEPT, Format.ACCEPT)
                .putHeader(HttpHeaders.ACCEPT_ENCODING, "gzip");
        if (bearerToken != null) {
            options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + bearerToken);
        }
        return ClientExchange.send(client, options, this::body)
                .recover(error -> Future.failedFuture(error instanceof ScrapeException ? error
                        : new ScrapeException(describe(error))));
    }

    private Future<List<ScrapedSample>> body(HttpClientResponse response) {
        if (response.statusCode() != 200) {
            stop(response);
            return Future.failedFuture(new ScrapeException("HTTP " + response.statusCode()
                    + (response.statusMessage() == null ? "" : " " + response.statusMessage())));
        }
        Format format = Format.ofContentType(response.getHeader(HttpHeaders.CONTENT_TYPE));
        Promise<Body> collected = Promise.promise();
        Body body = new Body(initialSize(response));
        response.handler(chunk -> {
            if (body.length + chunk.length() > maxBytes) {
                // Failed first: the reset below reports itself through the exception handler.
                collected.tryFail(new ScrapeException("the exposition is larger than " + maxBytes
                        + " bytes (maxScrapeBytes)"));
                stop(response);
                return;
            }
            body.append(chunk);
        });
        response.exceptionHandler(collected::tryFail);
        response.endHandler(done -> collected.tryComplete(body));
        return collected.future().compose(bytes -> bytes.length <= PARSE_ON_LOOP_BYTES
                ? parse(bytes, format)
                : vertx.executeBlocking(() -> parseOrThrow(bytes, format), false));
    }

    /**
     * The body's length when the target says it (and it is not compressed, when it says the
     * compressed length), so the usual body is one array of its own size; else 16 KiB to grow.
     */
    private int initialSize(HttpClientResponse response) {
        String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && response.getHeader(HttpHeaders.CONTENT_ENCODING) == null) {
            try {
                long declared = Long.parseLong(length.trim());
                if (declared >= 0 && declared <= Math.min(maxBytes, PARSE_ON_LOOP_BYTES)) {
                    return (int) declared;
                }
            } catch (NumberFormatException e) {
                // not a length: grow as the body comes
            }
        }
        return 16 * 1024;
    }

    /** The bytes of a body as they come, in one array the parser reads in place. */
    private static final class Body {
        private byte[] bytes;
        private int length;

        Body(int capacity) {
            this.bytes = new byte[Math.max(capacity, 1)];
        }

        void append(Buffer chunk) {
            int needed = length + chunk.length();
            if (needed > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
            }
            chunk.getBytes(0, chunk.length(), bytes, length);
            length = needed;
        }
    }

    /**
     * Stops a response whose body is not wanted: the stream is reset so a large body is not
     * transferred. A response that already ended cannot be reset, and needs not be.
     */
    private static void stop(HttpClientResponse response) {
        try {
            response.handler(null);
            response.request().reset();
        } catch (IllegalStateException alreadyEnded) {
            // nothing left to stop
        }
    }

    private Future<List<ScrapedSample>> parse(Body bytes, Format format) {
        try {
            return Future.succeededFuture(parseOrThrow(bytes, format));
        } catch (ScrapeException e) {
            return Future.failedFuture(e);
        }
    }

    private List<ScrapedSample> parseOrThrow(Body body, Format format) {
        try {
            return parser.parse(body.bytes, body.length, format).samples();
        } catch (ExpositionException e) {
            throw new ScrapeException("not a valid " + (format == Format.OPENMETRICS ? "OpenMetrics" : "Prometheus text")
                    + " exposition: " + e.getMessage());
        }
    }

    private String describe(Throwable error) {
        String text = error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
        if (error instanceof java.util.concurrent.TimeoutException
                || (error.getMessage() != null && error.getMessage().contains("timeout"))) {
            return "no complete answer within " + timeout.toMillis() + " ms (" + text + ")";
        }
        return text;
    }
}
