package io.demandmetrics.scaler.prometheus;

import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.SharedResources;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code prometheus} metric: each poll is one instant query at {@code /api/v1/query}; its
 * series are served with their labels. Prometheus' errors become the poll's error in its own
 * words; its warnings are logged once each.
 */
final class PrometheusScaler implements Scaler {

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusScaler.class);
    /** The largest answer read: a query for scaling returns a few series, not a dump. */
    static final int MAX_ANSWER_BYTES = 8 * 1024 * 1024;
    /** Distinct warnings remembered, so each is logged once. */
    private static final int WARNINGS_REMEMBERED = 100;

    private final PrometheusConfig config;
    private final ScalerContext context;
    private final Vertx vertx;
    private final WorkerExecutor blocking;
    private final SharedResources<?, Future<HttpClient>>.Lease client;
    private final Set<String> warned = new HashSet<>();
    /** Made on first use, on a worker: the default credentials chain may look around. */
    private SigV4 sigV4;
    /** The label naming each series' object, for a custom metric about pods or per object; else null. */
    private final String objectLabel;

    PrometheusScaler(PrometheusConfig config, ScalerContext context) {
        this.config = config;
        this.context = context;
        this.vertx = context.vertx();
        this.blocking = context.blockingExecutor();
        this.client = PrometheusClients.acquire(context, config.client());
        String describes = context.describes();
        this.objectLabel = "external".equals(describes) ? null : config.objectLabel() != null ? config.objectLabel()
                : "pods".equals(describes) ? "pod" : null;
    }

    @Override
    public Future<List<Sample>> fetch() {
        Instant now = context.clock().instant();
        long timeout = (config.timeout() != null ? config.timeout() : context.sourceTimeout()).toMillis();
        String url = url(now);
        return authorization(url).compose(authorization -> client.resource().compose(http -> {
            RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
                    .setTimeout(timeout).putHeader(HttpHeaders.ACCEPT, "application/json");
            config.customHeaders().forEach(request::putHeader);
            authorization.forEach(request::putHeader);
            return http.request(request).compose(sent -> sent.send()).compose(this::body);
        })).recover(error -> Future.failedFuture(error instanceof IllegalStateException ? error
                : new IllegalStateException("cannot query " + config.server() + ": " + describe(error, timeout))))
                .compose(answer -> blocking.executeBlocking(() -> samples(QueryAnswer.parse(answer.body,
                        answer.status), now), false));
    }

    /** {@code /api/v1/query?query=...&time=...}, with the namespace and the extra query parameters. */
    private String url(Instant now) {
        StringBuilder url = new StringBuilder(config.server().toString()).append("/api/v1/query?query=")
                .append(encode(config.query())).append("&time=").append(now.getEpochSecond()).append('.')
                .append(String.format("%03d", now.getNano() / 1_000_000));
        if (config.namespace() != null) {
            url.append("&namespace=").append(encode(config.namespace()));
        }
        config.queryParameters().forEach((name, value) -> url.append('&').append(encode(name)).append('=')
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
        PrometheusConfig.Auth auth = config.auth();
        if (auth.bearerTokenFile() != null) {
            return read(auth.bearerTokenFile(), "bearerTokenFile").map(token -> Map.of("Authorization",
                    "Bearer " + token.strip()));
        }
        if (auth.username() != null) {
            return read(auth.passwordFile(), "passwordFile").map(password -> Map.of("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString((auth.username() + ":" + password.strip())
                    .getBytes(StandardCharsets.UTF_8))));
        }
        if (config.awsRegion() != null) {
            return blocking.executeBlocking(() -> sigV4().headers(java.net.URI.create(url), context.clock()), false)
                    .recover(error -> Future.failedFuture(new IllegalStateException("cannot sign the query with"
                            + " SigV4 (AWS credentials from the default chain): " + error.getMessage())));
        }
        return Future.succeededFuture(Map.of());
    }

    private synchronized SigV4 sigV4() {
        if (sigV4 == null) {
            sigV4 = new SigV4(config.awsRegion());
        }
        return sigV4;
    }

    private Future<String> read(String file, String parameter) {
        return vertx.fileSystem().readFile(file).map(Buffer::toString).recover(error -> Future.failedFuture(
                new IllegalStateException("cannot read " + parameter + " " + file + ": " + error.getMessage())));
    }

    private record Answer(String body, int status) {
    }

    /** The answer's body, at most {@link #MAX_ANSWER_BYTES}. */
    private Future<Answer> body(HttpClientResponse response) {
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

    /** KEDA's reading of the answer, several series kept as series. */
    private List<Sample> samples(QueryAnswer answer, Instant now) {
        logWarnings(answer.warnings());
        if (answer.series().isEmpty()) {
            if (config.ignoreNullValues()) {
                return List.of(Sample.of(0).at(now));
            }
            throw new IllegalStateException("the query returned no series (ignoreNullValues is false): its target"
                    + " may be lost");
        }
        List<Sample> samples = new ArrayList<>(answer.series().size());
        int unplaced = 0;
        for (QueryAnswer.Series series : answer.series()) {
            double value = series.value();
            if (!Double.isFinite(value)) {
                if (!config.ignoreNullValues()) {
                    throw new IllegalStateException("the query returned " + value
                            + (series.labels().isEmpty() ? "" : " for series " + series.labels())
                            + " (ignoreNullValues is false)");
                }
                value = 0;
            }
            if (objectLabel == null) {
                samples.add(Sample.of(series.labels(), value).at(now));
                continue;
            }
            String object = series.labels().get(objectLabel);
            if (object == null || object.isEmpty()) {
                unplaced++;
                continue; // a series that names no object cannot be served for one
            }
            samples.add(new Sample(DescribedObject.named(object), withoutLabel(series.labels()), value, now, null));
        }
        if (samples.isEmpty()) {
            throw new IllegalStateException("none of the query's " + unplaced + " series has the label \""
                    + objectLabel + "\" that names the object (parameter \"objectLabel\"): add it to the query's"
                    + " \"by (...)\"");
        }
        return samples;
    }

    private Map<String, String> withoutLabel(Map<String, String> labels) {
        Map<String, String> rest = new java.util.LinkedHashMap<>(labels);
        rest.remove(objectLabel);
        return rest;
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

    @Override
    public Future<Void> close() {
        client.release();
        return Future.succeededFuture();
    }
}
