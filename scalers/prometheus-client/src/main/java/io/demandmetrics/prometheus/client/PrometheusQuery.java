package io.demandmetrics.prometheus.client;

import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.support.ClientExchange;
import io.demandmetrics.scaler.support.SharedResources;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A metric's instant queries to one {@link PrometheusEndpoint}: over the HTTP client shared by
 * every metric on the same server and settings, with the endpoint's headers, parameters and
 * authentication; the answer read within bounds and parsed on a worker. Prometheus' warnings
 * are logged once each; its errors, and the transport's, fail the query with a message that
 * names the server and never a secret.
 *
 * <p>One per metric; {@link #close()} it with the metric's scaler.
 */
public final class PrometheusQuery {

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusQuery.class);
    /** The largest answer read: a query for scaling returns a few series, not a dump. */
    static final int MAX_ANSWER_BYTES = 8 * 1024 * 1024;
    /** Distinct warnings remembered, so each is logged once. */
    private static final int WARNINGS_REMEMBERED = 100;

    private final PrometheusEndpoint endpoint;
    private final ScalerContext context;
    private final Vertx vertx;
    private final WorkerExecutor blocking;
    private final SharedResources<?, Future<HttpClient>>.Lease client;
    private final Set<String> warned = new HashSet<>();
    /** The shared signer for the endpoint's region and role; null without SigV4. */
    private final SharedResources<?, SigV4>.Lease sigV4;

    /** Takes a share of the endpoint's HTTP client; connects on the first {@link #run}. */
    public PrometheusQuery(PrometheusEndpoint endpoint, ScalerContext context) {
        this.endpoint = endpoint;
        this.context = context;
        this.vertx = context.vertx();
        this.blocking = context.blockingExecutor();
        this.client = PrometheusClients.acquire(context, endpoint.client());
        this.sigV4 = endpoint.awsRegion() == null ? null : SigV4.acquire(context, endpoint.awsRegion(),
                endpoint.roleArn());
    }

    /**
     * Asks {@code query} at instant {@code at}.
     *
     * @return the answer; failed with an {@link IllegalStateException} whose message is
     *     Prometheus' error in its own words, or says why the server could not be asked
     */
    public Future<QueryAnswer> run(String query, Instant at) {
        long timeout = (endpoint.timeout() != null ? endpoint.timeout() : context.sourceTimeout()).toMillis();
        String url = url(query, at);
        return authorization(url).compose(authorization -> client.resource().compose(http -> {
            RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
                    .setTimeout(timeout).putHeader(HttpHeaders.ACCEPT, "application/json");
            endpoint.customHeaders().forEach(request::putHeader);
            authorization.forEach(request::putHeader);
            return ClientExchange.send(http, request, PrometheusQuery::body);
        })).recover(error -> Future.failedFuture(error instanceof IllegalStateException ? error
                : new IllegalStateException("cannot query " + endpoint.server() + ": " + describe(error, timeout))))
                .compose(answer -> blocking.executeBlocking(() -> {
                    QueryAnswer parsed = QueryAnswer.parse(answer.body, answer.status);
                    logWarnings(parsed.warnings());
                    return parsed;
                }, false));
    }

    /** {@code /api/v1/query?query=...&time=...}, with the namespace and the extra query parameters. */
    private String url(String query, Instant at) {
        int millis = at.getNano() / 1_000_000;
        // Padded by hand: this runs on the event loop, and a Formatter's first use loads a regex engine.
        StringBuilder url = new StringBuilder(endpoint.server().toString()).append("/api/v1/query?query=")
                .append(encode(query)).append("&time=").append(at.getEpochSecond()).append('.')
                .append(millis < 100 ? millis < 10 ? "00" : "0" : "").append(millis);
        if (endpoint.namespace() != null) {
            url.append("&namespace=").append(encode(endpoint.namespace()));
        }
        endpoint.queryParameters().forEach((name, value) -> url.append('&').append(encode(name)).append('=')
                .append(encode(value)));
        return url.toString();
    }

    /** RFC 3986 percent-encoding (a space is %20, not +): what SigV4's canonical query expects. */
    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A")
                .replace("%7E", "~");
    }

    /**
     * The headers that authorize a query of {@code url}: bearer or basic from their files,
     * read now (a rotated Secret is used at once), or SigV4's, signed on a worker (resolving
     * AWS credentials may block); empty without auth.
     */
    private Future<Map<String, String>> authorization(String url) {
        PrometheusEndpoint.Auth auth = endpoint.auth();
        if (auth.bearerTokenFile() != null) {
            return read(auth.bearerTokenFile(), "bearerTokenFile").map(token -> Map.of("Authorization",
                    "Bearer " + token.strip()));
        }
        if (auth.username() != null) {
            return read(auth.passwordFile(), "passwordFile").map(password -> Map.of("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString((auth.username() + ":" + password.strip())
                    .getBytes(StandardCharsets.UTF_8))));
        }
        if (sigV4 != null) {
            return blocking.executeBlocking(() -> sigV4.resource().headers(java.net.URI.create(url), context.clock()),
                    false).recover(error -> Future.failedFuture(new IllegalStateException("cannot sign the query with"
                    + " SigV4 (" + (endpoint.roleArn() == null ? "AWS credentials from the default chain"
                    : "role " + endpoint.roleArn() + " assumed with the default chain's credentials") + "): "
                    + error.getMessage())));
        }
        return Future.succeededFuture(Map.of());
    }

    private Future<String> read(String file, String parameter) {
        return vertx.fileSystem().readFile(file).map(Buffer::toString).recover(error -> Future.failedFuture(
                new IllegalStateException("cannot read " + parameter + " " + file + ": " + error.getMessage())));
    }

    private record Answer(String body, int status) {
    }

    /** The answer's body, at most {@link #MAX_ANSWER_BYTES}. */
    private static Future<Answer> body(HttpClientResponse response) {
        Promise<Answer> done = Promise.promise();
        Buffer body = Buffer.buffer();
        response.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_ANSWER_BYTES) {
                done.tryFail(new IllegalStateException("Prometheus' answer is larger than " + MAX_ANSWER_BYTES
                        + " bytes: the query returns far more series than scaling needs"));
                response.request().reset();
                return;
            }
            body.appendBuffer(chunk);
        });
        response.exceptionHandler(done::tryFail);
        response.endHandler(end -> done.tryComplete(new Answer(body.toString(StandardCharsets.UTF_8),
                response.statusCode())));
        return done.future();
    }

    private void logWarnings(List<String> warnings) {
        for (String warning : warnings) {
            boolean first;
            synchronized (warned) {
                first = warned.size() < WARNINGS_REMEMBERED && warned.add(warning);
            }
            if (first) {
                LOG.warn("metric {}: Prometheus warns: {}", context.metricId(), warning);
            }
        }
    }

    private static String describe(Throwable error, long timeout) {
        String text = error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
        if (error instanceof java.util.concurrent.TimeoutException
                || (error.getMessage() != null && error.getMessage().contains("timeout"))) {
            return "no answer within " + timeout + " ms (" + text + ")";
        }
        return text;
    }

    /** Gives back the shares of the HTTP client and the signer; the last user closes each. */
    public void close() {
        client.release();
        if (sigV4 != null) {
            sigV4.release();
        }
    }
}
