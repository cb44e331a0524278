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
 * Holds the config version being served: a {@link MetricState} per configured metric, polled
 * into by a {@link MetricPoller} where this replica polls the metric ({@link Ownership}) and
 * fed by its owner's replicated readings where it does not ({@link #replicated}), and the
 * {@link Catalog} requests read (through the view), so a request never waits on a source or a
 * peer. A reload is applied here ({@link #apply}), and so is a change of ownership
 * ({@link #ownershipChanged}), one after the other.
 *
 * <p>All polling state lives on one Vert.x context, so it needs no locks; the catalog and
 * each {@link MetricState} are the only things other threads read, and both are published
 * as immutable values.
 */
public final class MetricStore {

    private static final Logger LOG = LoggerFactory.getLogger(MetricStore.class);
    /** How far ahead of this node's clock a peer's reading time may be (nodes' clocks are NTP-synced). */
    private static final java.time.Duration MAX_PEER_CLOCK_AHEAD = java.time.Duration.ofSeconds(30);

    private final Vertx vertx;
    private final Context context;
    private final Clock clock;
    private final MeterRegistry registry;
    private final PollListener listener;
    private final AtomicReference<Catalog> catalog = new AtomicReference<>(Catalog.of(List.of()));
    private final Ownership ownership;
    /** Every metric of the config served, in config order. */
    private Map<MetricKey, MetricState> states = new LinkedHashMap<>();
    /** The metrics this replica polls now. */
    private final Map<MetricKey, MetricPoller> pollers = new HashMap<>();
    /**
     * The last reading an owner sent with settings this replica has not applied yet, by metric:
     * served from the moment this replica's own reload brings the same settings, so a reload
     * that reaches the owner first leaves no gap here. One per configured metric at most.
     */
    private final Map<MetricKey, Replicated> aheadOfReload = new java.util.concurrent.ConcurrentHashMap<>();

    private record Replicated(String settings, Reading served, Failure failure, String from) {
    }
    private final ScalerExecutors executors;
    /** What scalers share through {@code ScalerContext.shared}: one set per store, so per adapter. */
    private final SharedInstances shared = new SharedInstances();
    private final SourceOutages outages;
    private final Optional<Pods> pods;
    /** The last apply queued; the next starts when it ends, so applies never interleave. */
    private Future<Void> lastApply = Future.succeededFuture();

    public MetricStore(Vertx vertx, Clock clock, MeterRegistry registry, PollListener listener) {
        this(vertx, clock, registry, listener, Optional.empty(), Ownership.EVERYTHING);
    }

    /**
     * @param registry where scalers register their own meters
     * @param listener told of every poller's start, polls and retirement
     * @param pods the cluster's pods for scalers that read them; empty standalone
     * @param ownership which metrics this replica polls; call {@link #ownershipChanged} when it changes
     */
    public MetricStore(Vertx vertx, Clock clock, MeterRegistry registry, PollListener listener,
                       Optional<Pods> pods, Ownership ownership) {
        this.pods = pods;
        this.ownership = ownership;
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.clock = clock;
        this.registry = registry;
        this.listener = listener;
        this.executors = new ScalerExecutors(vertx);
        this.outages = new SourceOutages(new SourceOutages.Timers() {
            @Override
            public long schedule(long delayMillis, Runnable task) {
                return vertx.setTimer(delayMillis, id -> context.runOnContext(ignored -> task.run()));
            }

            @Override
            public void cancel(long id) {
                vertx.cancelTimer(id);
            }
        }, SourceOutages.LOGGED, System::nanoTime);
    }

    /** The config version requests are answered from. */
    public Catalog catalog() {
        return catalog.get();
    }

    /**
     * Switches to a new config. Unchanged metrics keep their state, scaler and value; new and
     * changed metrics get a new state, and where this replica polls them a poller that polls
     * once before the switch, so no request meets a metric without a value because of a
     * reload; removed ones stop polling and are closed. (A metric another replica polls has no
     * value here until its owner's first reading arrives.)
     *
     * <p>Applies run one at a time in the order they were called, each against what the one
     * before it left running: two reloads within one first-poll window cannot both start
     * from the same running set, so the last one called is the one served.
     *
     * @return a future failed with {@link IllegalArgumentException} listing the metrics whose
     *     scaler could not be created, in which case nothing changed
     */
    public Future<Void> apply(AdapterConfig config) {
        return inTurn(() -> applyOnContext(config));
    }

    /**
     * Starts polling the metrics this replica now polls and stops those it no longer does
     * (their states stay, served from here on from the owner's replicated readings), in turn
     * with reloads. A metric whose scaler cannot be created here keeps what it had, its
     * failure recorded.
     */
    public Future<Void> ownershipChanged() {
        return inTurn(this::rebalanceOnContext);
    }

    /**
     * A reading of {@code key} polled by its owner on another replica, as the owner serves it,
     * with the owner's last failure. Ignored when this replica polls the metric itself, does
     * not know it, or knows it with other settings (its config is not the owner's: a reload
     * one of them has not seen yet; the metric's 503 then says so).
     *
     * @param settings the owner's {@link MetricDefinition#settingsFingerprint()}
     * @param from the replica that sent it
     * @return why it was not kept, or null when it was
     */
    public String replicated(MetricKey key, String settings, Reading served, Failure failure, String from) {
        MetricState state = catalog.get().state(key);
        if (state == null) {
            return "metric " + key.id() + " is not configured here";
        }
        if (!state.settingsFingerprint().equals(settings)) {
            state.refused("replica " + from + " has other settings for it (a config reload not seen by both)");
            // Most likely the owner saw a reload first: kept, to be served once this replica applies it.
            aheadOfReload.put(key, new Replicated(settings, served, failure, from));
            return "metric " + key.id() + " has other settings here (a config reload not seen by both)";
        }
        if (ownership.polls(state.definition())) {
            return "metric " + key.id() + " is polled here";
        }
        return keep(state, served, failure, from);
    }

    /**
     * What every replicated reading passes before {@code state} serves it: not from the future
     * (it would outrank every later reading, as the newest wins), servable by the validator's
     * rules, not older than the one held.
     *
     * @return why it was not kept, or null when it was
     */
    private String keep(MetricState state, Reading served, Failure failure, String from) {
        String id = state.definition().key().id();
        Reading valid = served;
        if (served != null) {
            if (served.fetchedAt().isAfter(clock.instant().plus(MAX_PEER_CLOCK_AHEAD))) {
                return "metric " + id + ": a reading from the future (" + served.fetchedAt() + ")";
            }
            try {
                valid = ReadingValidator.validate(state.definition(), served.samples(), served.fetchedAt());
            } catch (IllegalStateException e) {
                return "metric " + id + ": " + e.getMessage();
            }
        }
        return state.replicated(valid, failure, from) ? null : "an older reading than the one held";
    }

    /** The states of the metrics this replica polls now (what it replicates to a peer that joins). */
    public List<MetricState> polledHere() {
        Catalog current = catalog.get();
        return current.keys().stream().map(current::state).filter(state -> ownership.polls(state.definition())).toList();
    }

    /**
     * Drops what the scalers of a plugin's class loader shared ({@code ScalerContext.shared}):
     * the plugin version was unloaded, its last scaler closed.
     */
    public void forgetShared(ClassLoader loader) {
        shared.forget(loader);
    }

    /** The context polling runs on: listeners are called there. */
    public Context context() {
        return context;
    }

    /** Runs {@code step} on the store's context after every step called before it has ended. */
    private Future<Void> inTurn(java.util.function.Supplier<Future<Void>> step) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(ignored -> {
            lastApply = lastApply.transform(previous -> step.get());
            lastApply.onComplete(done);
        });
        return done.future();
    }

    private Future<Void> applyOnContext(AdapterConfig config) {
        Map<MetricKey, MetricState> nextStates = new LinkedHashMap<>(); // config order, for the catalog
        Map<MetricKey, MetricPoller> nextPollers = new HashMap<>();
        List<MetricPoller> created = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (MetricDefinition definition : config.metrics()) {
            MetricKey key = definition.key();
            MetricState current = states.get(key);
            if (current != null && current.definition().sameSettingsAs(definition)) {
                nextStates.put(key, current);
                if (pollers.containsKey(key)) {
                    nextPollers.put(key, pollers.get(key));
                }
                continue;
            }
            MetricState fresh = new MetricState(definition);
            nextStates.put(key, fresh);
            if (!ownership.polls(definition)) {
                continue;
            }
            try {
                MetricPoller poller = create(fresh, false);
                created.add(poller);
                nextPollers.put(key, poller);
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
                .transform(ignored -> vertx.executeBlocking(() -> Catalog.of(List.copyOf(nextStates.values())), false))
                .map(built -> {
                    List<MetricPoller> retired = new ArrayList<>();
                    pollers.forEach((key, poller) -> {
                        if (nextPollers.get(key) != poller) {
                            retired.add(poller);
                        }
                    });
                    int removed = (int) states.keySet().stream().filter(key -> !nextStates.containsKey(key)).count();
                    int changed = (int) nextStates.entrySet().stream()
                            .filter(entry -> states.get(entry.getKey()) != entry.getValue()).count();
                    states = nextStates;
                    pollers.clear();
                    pollers.putAll(nextPollers);
                    // Stopped before the switch: until it, the old catalog serves their last values,
                    // and once a request sees the new catalog their scalers are closed.
                    retired.forEach(MetricPoller::stop);
                    seedFromOwners(nextStates, nextPollers);
                    catalog.set(built);
                    LOG.info("serving {} metrics ({} new or changed, {} removed; {} polled here)", nextStates.size(),
                            changed, removed, pollers.size());
                    return null;
                });
    }

    /** New states polled elsewhere start with what their owner sent ahead of this reload, when it matches. */
    private void seedFromOwners(Map<MetricKey, MetricState> nextStates, Map<MetricKey, MetricPoller> nextPollers) {
        aheadOfReload.keySet().retainAll(nextStates.keySet());
        for (Map.Entry<MetricKey, MetricState> entry : nextStates.entrySet()) {
            MetricState state = entry.getValue();
            Replicated ahead = aheadOfReload.get(entry.getKey());
            if (ahead == null || nextPollers.containsKey(entry.getKey())
                    || !ahead.settings().equals(state.settingsFingerprint())) {
                continue;
            }
            aheadOfReload.remove(entry.getKey());
            keep(state, ahead.served(), ahead.failure(), ahead.from()); // refused: the owner's next one will do
        }
    }

    private Future<Void> rebalanceOnContext() {
        List<Future<Void>> firstPolls = new ArrayList<>();
        int started = 0;
        int stopped = 0;
        for (MetricState state : states.values()) {
            MetricKey key = state.definition().key();
            boolean polls = ownership.polls(state.definition());
            MetricPoller poller = pollers.get(key);
            if (polls && poller == null) {
                try {
                    MetricPoller fresh = create(state, state.reading() != null);
                    pollers.put(key, fresh);
                    firstPolls.add(fresh.start());
                    started++;
                } catch (RuntimeException e) {
                    LOG.error("{}: now polled here, but the scaler could not be created: {}",
                            state.definition().describe(), e.getMessage());
                    state.failed(new Failure("the scaler could not be created: " + e.getMessage(), clock.instant()));
                }
            } else if (!polls && poller != null) {
                pollers.remove(key).stop();
                stopped++;
            }
        }
        if (started + stopped > 0) {
            LOG.info("ownership changed: {} metrics polled here from now on, {} no longer; {} of {} polled here",
                    started, stopped, pollers.size(), states.size());
        }
        return Future.join(firstPolls).mapEmpty();
    }

    /** Stops every poller and closes every scaler. */
    public Future<Void> close() {
        Promise<Void> done = Promise.promise();
        context.runOnContext(ignored -> {
            List<Future<Void>> closing = new ArrayList<>();
            pollers.values().forEach(m -> closing.add(m.stop()));
            pollers.clear();
            states = new LinkedHashMap<>();
            catalog.set(Catalog.of(List.of()));
            Future.join(closing).onComplete(ar -> {
                executors.close();
                done.complete();
            });
        });
        return done.future();
    }

    /**
     * A poller for {@code state} with a new scaler; throws when the provider cannot create one.
     *
     * @param takingOver the state serves another replica's reading, kept through the scaler's warm-up
     */
    private MetricPoller create(MetricState state, boolean takingOver) {
        MetricDefinition definition = state.definition();
        MetricScalerContext scalerContext = new MetricScalerContext(vertx, clock, definition, registry,
                executors, pods, shared);
        Scaler scaler = definition.provider().createScaler(definition.scalerConfig(), scalerContext);
        if (scaler == null) {
            throw new IllegalStateException("the " + definition.type() + " provider returned no scaler");
        }
        return new MetricPoller(vertx, clock, listener, state, scaler, new TimedFetch(vertx, context, definition, scaler),
                outages.reporterFor(definition), takingOver);
    }
}
