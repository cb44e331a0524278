package io.demandmetrics.adapter.store;

import io.demandmetrics.adapter.config.AdapterConfig;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.scaler.spi.Pods;
import io.demandmetrics.scaler.spi.Scaler;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the config version being served: one {@link MetricPoller} per configured metric,
 * polling into its {@link MetricState}, and the {@link Catalog} requests read (through the
 * view), so a request never waits on a source. A reload is applied here ({@link #apply}).
 *
 * <p>All polling state lives on one Vert.x context, so it needs no locks; the catalog and
 * each {@link MetricState} are the only things other threads read, and both are published
 * as immutable values.
 */
public final class MetricStore {

    private static final Logger LOG = LoggerFactory.getLogger(MetricStore.class);

    private final Vertx vertx;
    private final Context context;
    private final Clock clock;
    private final MeterRegistry registry;
    private final PollListener listener;
    private final AtomicReference<Catalog> catalog = new AtomicReference<>(Catalog.of(List.of()));
    private final Map<MetricKey, MetricPoller> running = new HashMap<>();
    private final ScalerExecutors executors;
    private final Optional<Pods> pods;
    /** The last apply queued; the next starts when it ends, so applies never interleave. */
    private Future<Void> lastApply = Future.succeededFuture();

    public MetricStore(Vertx vertx, Clock clock, MeterRegistry registry, PollListener listener) {
        this(vertx, clock, registry, listener, Optional.empty());
    }

    /**
     * @param registry where scalers register their own meters
     * @param listener told of every poller's start, polls and retirement
     * @param pods the cluster's pods for scalers that read them; empty standalone
     */
    public MetricStore(Vertx vertx, Clock clock, MeterRegistry registry, PollListener listener,
                       Optional<Pods> pods) {
        this.pods = pods;
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.clock = clock;
        this.registry = registry;
        this.listener = listener;
        this.executors = new ScalerExecutors(vertx);
    }

    /** The config version requests are answered from. */
    public Catalog catalog() {
        return catalog.get();
    }

    /**
     * Switches to a new config. Unchanged metrics keep their scaler and value; new and
     * changed metrics are created and polled once before the switch, so no request meets a
     * metric without a value because of a reload; removed ones stop polling and are closed.
     *
     * <p>Applies run one at a time in the order they were called, each against what the one
     * before it left running: two reloads within one first-poll window cannot both start
     * from the same running set, so the last one called is the one served.
     *
     * @return a future failed with {@link IllegalArgumentException} listing the metrics whose
     *     scaler could not be created, in which case nothing changed
     */
    public Future<Void> apply(AdapterConfig config) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(ignored -> {
            lastApply = lastApply.transform(previous -> applyOnContext(config));
            lastApply.onComplete(done);
        });
        return done.future();
    }

    private Future<Void> applyOnContext(AdapterConfig config) {
        Map<MetricKey, MetricPoller> next = new LinkedHashMap<>(); // config order, for the catalog
        List<MetricPoller> created = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (MetricDefinition definition : config.metrics()) {
            MetricPoller current = running.get(definition.key());
            if (current != null && current.state().definition().sameSettingsAs(definition)) {
                next.put(definition.key(), current);
                continue;
            }
            try {
                MetricPoller fresh = create(definition);
                created.add(fresh);
                next.put(definition.key(), fresh);
            } catch (RuntimeException e) {
                problems.add(definition.describe() + ": the scaler could not be created: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            created.forEach(MetricPoller::stop);
            return Future.failedFuture(new IllegalArgumentException(String.join("\n", problems)));
        }
        List<Future<Void>> firstPolls = new ArrayList<>();
        for (MetricPoller metric : created) {
            firstPolls.add(metric.start());
        }
        // A first poll ends in success, failure or its timeout: joining them is bounded.
        // Encoding discovery for thousands of metrics takes tens of milliseconds: a worker does it.
        return Future.join(firstPolls)
                .transform(ignored -> vertx.executeBlocking(
                        () -> Catalog.of(next.values().stream().map(MetricPoller::state).toList()), false))
                .map(built -> {
                    List<MetricPoller> retired = new ArrayList<>();
                    running.forEach((key, metric) -> {
                        if (next.get(key) != metric) {
                            retired.add(metric);
                        }
                    });
                    running.clear();
                    running.putAll(next);
                    // Stopped before the switch: until it, the old catalog serves their last values,
                    // and once a request sees the new catalog their scalers are closed.
                    retired.forEach(MetricPoller::stop);
                    catalog.set(built);
                    LOG.info("serving {} metrics ({} new or changed, {} removed)", next.size(), created.size(),
                            retired.size());
                    return null;
                });
    }

    /** Stops every poller and closes every scaler. */
    public Future<Void> close() {
        Promise<Void> done = Promise.promise();
        context.runOnContext(ignored -> {
            List<Future<Void>> closing = new ArrayList<>();
            running.values().forEach(m -> closing.add(m.stop()));
            running.clear();
            catalog.set(Catalog.of(List.of()));
            Future.join(closing).onComplete(ar -> {
                executors.close();
                done.complete();
            });
        });
        return done.future();
    }

    /** A poller for {@code definition} with a new scaler; throws when the provider cannot create one. */
    private MetricPoller create(MetricDefinition definition) {
        MetricScalerContext scalerContext = new MetricScalerContext(vertx, clock, definition, registry,
                executors, pods);
        Scaler scaler = definition.provider().createScaler(definition.scalerConfig(), scalerContext);
        if (scaler == null) {
            throw new IllegalStateException("the " + definition.type() + " provider returned no scaler");
        }
        return new MetricPoller(vertx, clock, listener, new MetricState(definition),
                scaler, new TimedFetch(vertx, context, definition, scaler));
    }
}
