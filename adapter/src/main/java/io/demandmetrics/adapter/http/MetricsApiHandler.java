package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.api.MetricsApi;
import io.demandmetrics.adapter.api.PathSegments;
import io.demandmetrics.adapter.api.WireFormat;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.adapter.forward.Forwarded;
import io.demandmetrics.adapter.forward.Forwarding;
import io.demandmetrics.adapter.selector.LabelSelector;
import io.demandmetrics.adapter.selector.SelectorSyntaxException;
import io.demandmetrics.adapter.store.Catalog;
import io.demandmetrics.adapter.view.Basis;
import io.demandmetrics.adapter.view.MetricAnswer;
import io.demandmetrics.adapter.view.MetricQuestion;
import io.demandmetrics.adapter.view.MetricView;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Answers {@code /apis/...}: discovery and every metrics route of metrics-api.md. A request
 * goes one way: its path and selectors become a {@link MetricQuestion}, the {@link MetricView}
 * answers it from the store's readings, and the values are encoded here (or taken from the
 * {@link AnswerCache}). Failures from any step become Status answers in
 * {@link FailureStatus}.
 *
 * <p>Routes, after {@code /apis/custom.metrics.k8s.io/{v}}:
 * <pre>
 * /namespaces/{ns}/{resource}/{name|*}/{metric}   objects in a namespace
 * /namespaces/{ns}/metrics/{metric}               the namespace object itself
 * /{resource}/{name|*}/{metric}                   cluster-scoped objects (nodes, namespaces)
 * </pre>
 * and {@code /apis/external.metrics.k8s.io/v1beta1/namespaces/{ns}/{metric}}.
 */
public final class MetricsApiHandler {

    private static final CharSequence GZIP = HttpHeaders.createOptimized("gzip");

    private final Supplier<Catalog> catalog;
    private final MetricView view;
    private final AnswerCache answers;
    private final Function<MetricQuestion, Basis> currentBasis;
    private final Forwarding forwarding;

    /** @param catalog the config version served, for its discovery documents */
    public MetricsApiHandler(Supplier<Catalog> catalog, MetricView view) {
        this(catalog, view, Forwarding.none());
    }

    /** @param forwarding where the metrics this adapter does not serve go */
    public MetricsApiHandler(Supplier<Catalog> catalog, MetricView view, Forwarding forwarding) {
        this(catalog, view, AnswerCache.DEFAULT_MAX_BYTES, forwarding);
    }

    MetricsApiHandler(Supplier<Catalog> catalog, MetricView view, long answerCacheBytes, Forwarding forwarding) {
        this.catalog = catalog;
        this.view = view;
        this.answers = new AnswerCache(answerCacheBytes);
        this.currentBasis = view::basis;
        this.forwarding = forwarding;
    }

    /**
     * Answers the request {@code exchange} holds: gzipped when the answer has a gzipped form and
     * the client accepts it. A request asked before whose answer still holds is answered from
     * the {@link AnswerCache} without being parsed again: most requests are (every HPA asks the
     * same question every sync), so that path has no futures and no parsing.
     */
    void answer(Exchange exchange) {
        HttpServerRequest request = exchange.request();
        String asSent = request.uri();
        if (request.method() == HttpMethod.GET) {
            AnswerCache.Entry reused = answers.reusable(asSent, currentBasis);
            if (reused != null) {
                exchange.route(reused.route()).json(200, reused.encoded().body());
                return;
            }
        }
        ForwardTarget target = forwardTarget(request);
        if (target != null) {
            forward(exchange, target);
            return;
        }
        boolean query = request.query() != null; // without one, no parameter map is built
        answer(asSent, request.method().name(), request.path(), query ? request.getParam("labelSelector") : null,
                query ? request.getParam("metricLabelSelector") : null).onComplete(answered -> {
                    ApiResponse response = answered.succeeded() ? answered.result() // it answers its own failures
                            : ApiResponse.of(FailureStatus.of("answering a metrics API request", answered.cause()),
                                    "unknown");
                    exchange.route(response.route());
                    if (response.gzippedBody() != null) {
                        request.response().putHeader(HttpHeaders.VARY, Exchange.ACCEPT_ENCODING);
                        if (MetricsScrape.acceptsGzip(request)) {
                            request.response().putHeader(HttpHeaders.CONTENT_ENCODING, GZIP);
                            exchange.json(response.code(), response.gzippedBody());
                            return;
                        }
                    }
                    exchange.json(response.code(), response.body());
                });
    }

    /**
     * The answer to one request, worked out now (nothing kept for later requests).
     *
     * @param rawPath the path as sent, still percent-encoded (the HPA sends {@code %2A})
     * @param labelSelector the {@code labelSelector} query parameter, or null
     * @param metricLabelSelector the {@code metricLabelSelector} query parameter, or null
     * @return the answer; never a failed future
     */
    public Future<ApiResponse> answer(String method, String rawPath, String labelSelector, String metricLabelSelector) {
        return answer(null, method, rawPath, labelSelector, metricLabelSelector);
    }

    /**
     * @param asSent the request target as sent (path and query), under which a metric's answer
     *        is kept for the next request like it; null to keep nothing
     */
    private Future<ApiResponse> answer(String asSent, String method, String rawPath, String labelSelector,
                                       String metricLabelSelector) {
        String route = "unknown";
        try {
            List<String> segments = segments(rawPath);
            route = route(segments);
            if (!method.equals("GET")) {
                throw new RequestFailure.MethodNotAllowed(
                        "the server does not allow this method on the requested resource");
            }
            if (segments.size() <= 3) {
                return Future.succeededFuture(discovery(segments, route));
            }
            String version = segments.get(2);
            if (!MetricsApi.versions(segments.get(1)).contains(version)) {
                throw new RequestFailure.NoSuchResource();
            }
            MetricQuestion question = question(segments, labelSelector, metricLabelSelector);
            String answered = route;
            return view.values(question).map(values -> {
                Buffer body = encode(version, question, values);
                if (asSent != null) {
                    answers.keep(asSent, new AnswerCache.Entry(question, answered,
                            new AnswerCache.Encoded(values.basis(), body)));
                }
                return ApiResponse.ok(body, answered);
            }).otherwise(failure -> failed(failure, answered));
        } catch (RuntimeException e) {
            return Future.succeededFuture(failed(e, route));
        }
    }

    private ApiResponse discovery(List<String> segments, String route) {
        Catalog current = catalog.get();
        String path = "/" + String.join("/", segments);
        Buffer document = current.discovery().document(path);
        if (document == null) {
            throw new RequestFailure.NoSuchResource();
        }
        if (segments.size() == 3 && forwarding.forwards(segments.get(1))) {
            Buffer merged = forwarding.discovery(segments.get(1) + "/" + segments.get(2), document,
                    current.discovery().names(path));
            if (merged != document) {
                return new ApiResponse(200, merged, null, route);
            }
        }
        return new ApiResponse(200, document, current.discovery().gzippedDocument(path), route);
    }

    /** A metrics request to pass on: its group-version and the metric's name as discovery lists it. */
    private record ForwardTarget(String groupVersion, String resource) {
    }

    /**
     * The request's target when it asks for a metric this adapter does not serve (not in our
     * discovery) in a group some backend serves; null otherwise, and for anything malformed
     * (answered here, as without forwarding).
     */
    private ForwardTarget forwardTarget(HttpServerRequest request) {
        if (!forwarding.active() || request.method() != HttpMethod.GET) {
            return null; // without backends, a request's path is parsed once, below, as before forwarding
        }
        List<String> s;
        try {
            s = segments(request.path());
        } catch (RequestFailure malformed) {
            return null;
        }
        if (s.size() <= 3 || !forwarding.forwards(s.get(1)) || !MetricsApi.versions(s.get(1)).contains(s.get(2))) {
            return null;
        }
        for (String segment : s) {
            // The request goes on as sent: an escaped '/' or a dot segment could name another path there.
            if (segment.indexOf('/') >= 0 || segment.equals(".") || segment.equals("..")) {
                return null;
            }
        }
        MetricPath metric = MetricPath.of(s);
        String resource = metric == null ? null : metric.discoveryName();
        String path = "/apis/" + s.get(1) + "/" + s.get(2);
        java.util.Set<String> ours = catalog.get().discovery().names(path);
        if (resource == null || ours == null || ours.contains(resource)) {
            return null;
        }
        return new ForwardTarget(s.get(1) + "/" + s.get(2), resource);
    }

    /** Passes the request on and its backend's answer back; a backend that fails is a 503 naming it. */
    private void forward(Exchange exchange, ForwardTarget target) {
        HttpServerRequest request = exchange.request();
        exchange.route("forwarded");
        forwarding.forward(target.groupVersion(), target.resource(), request.uri(),
                request.getHeader(HttpHeaders.ACCEPT)).onComplete(answered -> {
                    if (answered.succeeded()) {
                        Forwarded answer = answered.result();
                        exchange.body(answer.status(), answer.contentType() == null ? "application/json"
                                : answer.contentType(), answer.body());
                    } else {
                        ApiResponse failed = failed(answered.cause(), "forwarded");
                        exchange.json(failed.code(), failed.body());
                    }
                });
    }

    /** The MetricValueList or ExternalMetricValueList that answers {@code question}. */
    private static Buffer encode(String version, MetricQuestion question, MetricAnswer values) {
        MetricKey key = question.key();
        if (key.isExternal()) {
            return WireFormat.externalMetricValueList(key.name(), values.points()).toBuffer();
        }
        return WireFormat.metricValueList(version, key.resource(), key.namespace(), key.name(),
                question.seriesSelector(), values.points()).toBuffer();
    }

    private static ApiResponse failed(Throwable failure, String route) {
        return ApiResponse.of(FailureStatus.of("answering a " + route + " request", failure), route);
    }

    /** The question a metrics route asks; {@code s} is past discovery and names a served API version. */
    static MetricQuestion question(List<String> s, String labelSelector, String metricLabelSelector) {
        MetricPath path = MetricPath.of(s);
        if (path == null) {
            throw new RequestFailure.NoSuchResource();
        }
        if (path.external()) {
            return MetricQuestion.external(MetricKey.external(path.namespace(), path.metric()),
                    selector("labelSelector", labelSelector));
        }
        LabelSelector objectSelector = selector("labelSelector", labelSelector);
        LabelSelector seriesSelector = selector("metricLabelSelector", metricLabelSelector);
        KubernetesResource resource = KubernetesResource.byName(path.resourceName())
                .filter(r -> r.namespaced() == (path.namespace() != null))
                .orElseThrow(() -> RequestFailure.UnknownMetric.forObjects(path.metric(), path.resourceName(),
                        path.objectName()));
        return MetricQuestion.custom(new MetricKey(resource, path.namespace(), path.metric()), path.objectName(),
                objectSelector, seriesSelector);
    }

    private static LabelSelector selector(String parameter, String text) {
        try {
            return LabelSelector.parse(text);
        } catch (SelectorSyntaxException e) {
            throw new RequestFailure.BadRequest("invalid " + parameter + ": " + e.getMessage());
        }
    }

    /** The route template of a request, for metrics: never the raw path, which is unbounded. */
    private static String route(List<String> s) {
        if (s.size() <= 3) {
            return "discovery";
        }
        if (s.get(1).equals(MetricsApi.EXTERNAL_GROUP)) {
            return "external";
        }
        if (s.size() == 8) {
            return s.get(6).equals("*") ? "custom-all-objects" : "custom-object";
        }
        if (s.size() == 7) {
            return "custom-namespace";
        }
        return s.size() == 6 && s.get(4).equals("*") ? "custom-all-objects" : "custom-object";
    }

    /** Splits {@code /apis/a/b} into decoded segments, rejecting malformed escapes. */
    static List<String> segments(String rawPath) {
        String path = rawPath.endsWith("/") && rawPath.length() > 1 ? rawPath.substring(0, rawPath.length() - 1)
                : rawPath;
        if (!path.startsWith("/apis")) {
            throw new RequestFailure.NoSuchResource();
        }
        List<String> segments = new ArrayList<>(8);
        int start = 1;
        while (start <= path.length()) { // split on '/' by hand: String.split showed in HTTP/2 profiles
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            String decoded = PathSegments.decode(path.substring(start, end));
            if (decoded.isEmpty()) {
                throw new RequestFailure.NoSuchResource();
            }
            segments.add(decoded);
            start = end + 1;
        }
        if (!segments.get(0).equals("apis") || segments.size() > 8) {
            throw new RequestFailure.NoSuchResource();
        }
        return segments;
    }
}
