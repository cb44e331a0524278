package io.demandmetrics.adapter.view;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.api.MetricPoint;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.adapter.objects.ObjectResolver;
import io.demandmetrics.adapter.selector.LabelSelector;
import io.demandmetrics.adapter.store.Catalog;
import io.demandmetrics.adapter.store.Combine;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.adapter.store.ServedSamples;
import io.demandmetrics.adapter.store.ValueHistory;
import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The values that answer a question, from the store's readings: the one place selectors are
 * applied and samples combined.
 *
 * <p>One rule for both APIs: the request's series selector picks among the reading's samples,
 * then the provider's {@code combine} turns what it picked into the values served, per
 * answered item: for an external metric over every picked series, for a custom metric over
 * each described object's picked series (the metric's configured {@code object} is always
 * described, so a provider can answer it with no series at all). A custom metric's object is
 * then the sum of what its combine returned. A fallback value is served as it is.
 */
public final class MetricView {

    private final Supplier<Catalog> catalog;
    private final ObjectResolver objects;
    private final Clock clock;

    /**
     * @param objects which Kubernetes objects exist and match a selector: informers in-cluster,
     *     the scalers' own reports standalone
     */
    public MetricView(Supplier<Catalog> catalog, ObjectResolver objects, Clock clock) {
        this.catalog = catalog;
        this.objects = objects;
        this.clock = clock;
    }

    /**
     * The answer to {@code question}, or a failed future with a {@link RequestFailure}: the
     * metric or object is unknown, the value is stale, the objects are not known yet.
     */
    public Future<MetricAnswer> values(MetricQuestion question) {
        try {
            MetricState state = state(question);
            ServedSamples served = state.serve(clock.instant());
            if (question.key().isExternal()) {
                return Future.succeededFuture(new MetricAnswer(external(state.definition(), served, question),
                        new Basis(served.samples(), 0)));
            }
            return custom(state.definition(), served, question);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /**
     * What the answer to {@code question} would be worked out from now, without working it out:
     * while it is the basis of an earlier answer, that answer holds (every HPA sync and every
     * kubectl between two polls asks the same question).
     *
     * @throws RequestFailure as {@link #values} fails: the metric is unknown, its value stale
     */
    public Basis basis(MetricQuestion question) {
        ServedSamples served = state(question).serve(clock.instant());
        return new Basis(served.samples(),
                question.key().isExternal() ? 0 : objects.generation(question.key().resource()));
    }

    /**
     * How the metric is doing: health (by the rule {@link #values} answers by), its reading's
     * time, its last failure, its lead's totals; null for a metric not configured.
     */
    public MetricState.Status status(MetricKey key) {
        MetricState state = catalog.get().state(key);
        return state == null ? null : state.status(clock.instant());
    }

    /**
     * The last hour of the metric's served total (what a request with no selector is served,
     * summed), oldest first; empty for a metric not configured.
     */
    public List<ValueHistory.Point> history(MetricKey key) {
        MetricState state = catalog.get().state(key);
        return state == null ? List.of() : state.history().points(clock.instant());
    }

    private MetricState state(MetricQuestion question) {
        MetricState state = catalog.get().state(question.key());
        if (state == null) {
            throw unknownMetric(question);
        }
        return state;
    }

    private List<MetricPoint> external(MetricDefinition definition, ServedSamples served, MetricQuestion question) {
        List<Sample> picked = new ArrayList<>();
        for (Sample sample : served.samples()) {
            if (question.seriesSelector().matches(sample.labels())) {
                picked.add(sample);
            }
        }
        List<Sample> values = served.fallback() != null ? picked
                : Combine.apply(definition, picked, !question.seriesSelector().isEmpty());
        List<MetricPoint> points = new ArrayList<>(values.size());
        for (Sample sample : values) {
            points.add(new MetricPoint(null, sample.labels(), sample.value(), measuredAt(sample, served),
                    sample.window()));
        }
        return points;
    }

    private Future<MetricAnswer> custom(MetricDefinition definition, ServedSamples served, MetricQuestion question) {
        KubernetesResource resource = question.key().resource();
        // Read before matching: a change while matching moves it on, and the answer is not reused.
        long generation = objects.generation(resource);
        return objects.matching(resource, question.key().namespace(), question.objectSelector(), served.samples())
                .map(names -> {
                    String objectName = question.objectName();
                    if (!question.allObjects() && !names.contains(objectName)) {
                        throw new RequestFailure.UnknownObject(question.key().name(), resource.resource(), objectName);
                    }
                    List<MetricPoint> points = perObject(definition, served, question,
                            question.allObjects() ? names : Set.of(objectName));
                    if (!question.allObjects() && points.isEmpty()) {
                        if (served.fallback() == null) {
                            throw new RequestFailure.UnknownObject(question.key().name(), resource.resource(),
                                    objectName);
                        }
                        points = List.of(new MetricPoint(objectName, Map.of(), served.fallback(), served.at(), null));
                    }
                    return new MetricAnswer(points, new Basis(served.samples(), generation));
                });
    }

    /**
     * One point per described object among {@code objectNames}: the sum of what combine made of
     * its picked series, stamped with the oldest of their timestamps. Sorted by name.
     */
    private List<MetricPoint> perObject(MetricDefinition definition, ServedSamples served, MetricQuestion question,
                                        Set<String> objectNames) {
        Map<String, List<Sample>> picked = new TreeMap<>();
        if (served.fallback() == null && definition.object() != null && objectNames.contains(definition.object())) {
            picked.put(definition.object(), new ArrayList<>());
        }
        for (Sample sample : served.samples()) {
            String name = sample.object().name();
            if (objectNames.contains(name) && question.seriesSelector().matches(sample.labels())) {
                picked.computeIfAbsent(name, n -> new ArrayList<>()).add(sample);
            }
        }
        boolean narrowed = !question.seriesSelector().isEmpty();
        List<MetricPoint> points = new ArrayList<>(picked.size());
        picked.forEach((name, series) -> {
            List<Sample> values = served.fallback() != null ? series : Combine.apply(definition, series, narrowed);
            MetricPoint point = null;
            for (Sample sample : values) {
                Instant at = measuredAt(sample, served);
                point = point == null ? new MetricPoint(name, Map.of(), sample.value(), at, sample.window())
                        : new MetricPoint(name, Map.of(), point.value() + sample.value(),
                                at.isBefore(point.timestamp()) ? at : point.timestamp(), point.window());
            }
            if (point != null) {
                points.add(point);
            }
        });
        return points;
    }

    private static Instant measuredAt(Sample sample, ServedSamples served) {
        return sample.timestamp() == null ? served.at() : sample.timestamp();
    }

    private static RequestFailure unknownMetric(MetricQuestion question) {
        if (question.key().isExternal()) {
            return RequestFailure.UnknownMetric.external(question.key().name(), question.key().namespace());
        }
        return RequestFailure.UnknownMetric.forObjects(question.key().name(), question.key().resource().resource(),
                question.objectName());
    }
}
