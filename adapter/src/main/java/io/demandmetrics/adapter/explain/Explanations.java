package io.demandmetrics.adapter.explain;

import io.demandmetrics.adapter.api.MetricPoint;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.adapter.selector.LabelSelector;
import io.demandmetrics.adapter.store.Catalog;
import io.demandmetrics.adapter.store.Failure;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.adapter.store.ValueHistory;
import io.demandmetrics.adapter.view.MetricAnswer;
import io.demandmetrics.adapter.view.MetricQuestion;
import io.demandmetrics.adapter.view.MetricView;
import io.demandmetrics.scaler.support.Durations;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code /explain.json}: per metric what the API serves now (the view's answer to the question
 * that selects everything), its health, its lead and the HPAs that read it with what the
 * controller would propose from the API's answer to each HPA's own question; for one metric
 * ({@code ?metric=namespace/name}) its served series and the last hour of its total.
 *
 * <p>Every metric is listed a page at a time ({@link Page}), in config order: at ten thousand
 * metrics the whole list is megabytes, which one reader could ask for back to back and so take
 * the event loop from the HPA's answers. A page ends with where the next one continues.
 */
public final class Explanations {

    /** Series listed for one metric; the rest are counted. */
    static final int MAX_SERIES = 100;
    /** Longest error text shown; the full one is in the log. */
    static final int MAX_ERROR = 300;

    /**
     * Which part of the list: at most {@code limit} metrics after the one {@code after} names
     * (the {@code continue} of the page before; null: from the first).
     */
    public record Page(String after, int limit) {

        /** Metrics on a page unless the reader asks for fewer: about 120 KB of JSON. */
        public static final int DEFAULT_LIMIT = 500;
        /** The most a reader may ask for on one page. */
        public static final int MAX_LIMIT = 1000;
        public static final Page FIRST = new Page(null, DEFAULT_LIMIT);

        public Page {
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException("limit " + limit + " outside 1.." + MAX_LIMIT);
            }
        }
    }

    private final Supplier<Catalog> catalog;
    private final MetricView view;
    private final Clock clock;
    private final Supplier<List<HorizontalPodAutoscaler>> hpas;
    private final HpaProposals proposals;
    private final Function<MetricDefinition, String> polledBy;
    private final Supplier<JsonArray> forwarding;

    /**
     * @param hpas the HPAs whose proposals are shown beside the metrics they read
     * @param targetPods an HPA target's running pods, or null when the adapter knows no pods
     * @param polledBy the replica that polls a metric, or null when this one polls everything
     * @param forwarding the backends the metrics this adapter does not serve go to (one object
     *     each: its trust, discovery and conflicts), shown on the first page of the list
     */
    public Explanations(Supplier<Catalog> catalog, MetricView view, Clock clock,
                        Supplier<List<HorizontalPodAutoscaler>> hpas, HpaProposals.TargetPods targetPods,
                        Function<MetricDefinition, String> polledBy, Supplier<JsonArray> forwarding) {
        this.polledBy = polledBy;
        this.forwarding = forwarding;
        this.catalog = catalog;
        this.view = view;
        this.clock = clock;
        this.hpas = hpas;
        this.proposals = new HpaProposals(view, targetPods);
    }

    /**
     * The page of every metric, or the one {@code metricId} names with its series and history.
     * A page that is not the last says where the next continues ({@code continue}) and how many
     * metrics are after it ({@code remaining}).
     *
     * @return a future of null when {@code metricId} names no metric; failed with
     *     {@link RequestFailure.Expired} when the metric the page continues after is no longer
     *     configured (a reload removed it: the reader starts again)
     */
    public Future<JsonObject> json(String metricId, Page page) {
        Instant now = clock.instant();
        Catalog current = catalog.get(); // one config version for the whole answer
        List<HorizontalPodAutoscaler> known = hpas.get(); // listed once, not once per metric
        List<MetricKey> keys = current.keys();
        List<Future<JsonObject>> entries = new ArrayList<>();
        if (metricId != null) {
            for (MetricKey key : keys) {
                if (key.id().equals(metricId)) {
                    entries.add(entry(current.state(key).definition(), now, true, known));
                }
            }
            return entries.isEmpty() ? Future.succeededFuture(null) : Future.all(entries)
                    .map(all -> new JsonObject().put("at", now.toString()).put("metrics", new JsonArray(all.list())));
        }
        int from = 0;
        if (page.after() != null) {
            from = indexOf(keys, page.after()) + 1;
            if (from == 0) {
                return Future.failedFuture(new RequestFailure.Expired("the list changed since the page before: "
                        + page.after() + " is no longer configured; list again without continue"));
            }
        }
        int to = Math.min(keys.size(), from + page.limit());
        for (MetricKey key : keys.subList(from, to)) {
            entries.add(entry(current.state(key).definition(), now, false, known));
        }
        return Future.all(entries).map(all -> {
            JsonObject answer = new JsonObject().put("at", now.toString()).put("metrics", new JsonArray(all.list()));
            JsonArray backends = page.after() == null ? forwarding.get() : null;
            if (backends != null && !backends.isEmpty()) {
                answer.put("forwarding", backends);
            }
            if (to < keys.size()) {
                answer.put("continue", token(keys.get(to - 1))).put("remaining", keys.size() - to);
            }
            return answer;
        });
    }

    /** Where a page continues: the key of its last metric ({@code external/shop/orders}); ids alone repeat across resources. */
    private static String token(MetricKey key) {
        return key.describes() + "/" + key.id();
    }

    private static int indexOf(List<MetricKey> keys, String token) {
        for (int i = 0; i < keys.size(); i++) {
            if (token(keys.get(i)).equals(token)) {
                return i;
            }
        }
        return -1;
    }

    private Future<JsonObject> entry(MetricDefinition definition, Instant now, boolean detail,
                                     List<HorizontalPodAutoscaler> known) {
        MetricState.Status status = view.status(definition.key());
        JsonObject entry = new JsonObject().put("metric", definition.key().id()).put("type", definition.type())
                .put("describes", definition.key().describes())
                .put("pollInterval", Durations.format(definition.pollInterval()))
                .put("maxAge", Durations.format(definition.maxAge()));
        JsonObject health = health(status, now);
        String poller = polledBy.apply(definition);
        if (poller != null) {
            health.put("polledBy", poller);
        }
        entry.put("health", health);
        if (definition.lead() != null) {
            entry.put("lead", new JsonObject().put("lead", Durations.format(definition.lead()))
                    .put("observedTotal", finite(status.leadObservedTotal()))
                    .put("servedTotal", finite(status.leadServedTotal())));
        }
        if (detail) {
            JsonArray history = new JsonArray();
            for (ValueHistory.Point point : view.history(definition.key())) {
                history.add(new JsonObject().put("at", point.at().toString()).put("total", point.total()));
            }
            entry.put("history", history);
        }
        Future<JsonObject> served = view.values(everything(definition.key()))
                .map(values -> entry.put("value", value(values, detail)))
                .otherwise(entry); // nothing served now: the health says why
        if (known.isEmpty()) {
            return served;
        }
        return served.compose(withValue -> proposals.of(definition.key(), known)
                .map(hpaEntries -> withValue.put("hpas", new JsonArray(new ArrayList<>(hpaEntries)))));
    }

    /** The question whose answer is everything the metric serves: no selector, every object. */
    private static MetricQuestion everything(MetricKey key) {
        return key.isExternal() ? MetricQuestion.external(key, LabelSelector.EVERYTHING)
                : MetricQuestion.custom(key, "*", LabelSelector.EVERYTHING, LabelSelector.EVERYTHING);
    }

    private static JsonObject value(MetricAnswer values, boolean detail) {
        double total = 0;
        for (MetricPoint point : values.points()) {
            total += point.value();
        }
        JsonObject value = new JsonObject().put("total", total).put("series", values.points().size());
        if (detail) {
            JsonArray items = new JsonArray();
            for (MetricPoint point : values.points().subList(0, Math.min(MAX_SERIES, values.points().size()))) {
                JsonObject item = new JsonObject().put("value", point.value());
                if (point.objectName() != null) {
                    item.put("object", point.objectName());
                }
                if (!point.labels().isEmpty()) {
                    item.put("labels", new JsonObject(new TreeMap<>(point.labels())));
                }
                items.add(item);
            }
            value.put("items", items);
        }
        return value;
    }

    private static JsonObject health(MetricState.Status status, Instant now) {
        JsonObject health = new JsonObject().put("status", status.health().description());
        if (status.fetchedAt() != null) {
            health.put("fetchedAt", status.fetchedAt().toString())
                    .put("ageSeconds", Duration.between(status.fetchedAt(), now).toMillis() / 1000.0);
        }
        Failure failure = status.failure();
        if (failure != null) {
            String message = failure.message();
            health.put("lastError", message.length() > MAX_ERROR ? message.substring(0, MAX_ERROR) + "..." : message)
                    .put("lastErrorAt", failure.at().toString());
        }
        return health;
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
