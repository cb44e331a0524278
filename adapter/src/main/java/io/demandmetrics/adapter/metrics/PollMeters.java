package io.demandmetrics.adapter.metrics;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.adapter.store.PollListener;
import io.demandmetrics.adapter.store.Reading;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Each configured metric's meters at /metrics: its polls, its failed polls, the age of its
 * served value and, with a lead, its observed and served totals.
 *
 * <p>The meters belong to what names them (the metric's key and scaler type), not to a poller:
 * a reload that replaces a metric's poller hands the same meters to the new one, which feeds
 * them from then on, and they are removed only when no poller of that name is left. Per-metric
 * meters are a count, a sum and a max (no histogram): at ten thousand metrics a histogram each
 * would cost more than the values they describe.
 */
public final class PollMeters implements PollListener {

    private final MeterRegistry registry;
    private final Clock clock;
    /** Guarded by {@code this}: started and retired are rare. */
    private final Map<Tags, Named> byName = new HashMap<>();
    /** Read on every poll. */
    private final Map<MetricState, Named> byState = new ConcurrentHashMap<>();

    public PollMeters(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /** One name's meters and the pollers that feed them, the newest last. */
    private final class Named {
        final Tags tags;
        final List<MetricState> feeders = new ArrayList<>();
        /** The newest feeder, whose value's age and lead totals the gauges read. */
        volatile MetricState current;
        final Timer polls;
        final Counter errors;
        final Gauge age;
        List<Gauge> leadGauges = List.of();

        Named(Tags tags) {
            this.tags = tags;
            polls = Timer.builder("demand_adapter_poll").description("Polls of the metric's source, successful or not")
                    .tags(tags).register(registry);
            errors = Counter.builder("demand_adapter_poll_errors").description("Failed polls of the metric's source")
                    .tags(tags).register(registry);
            age = Gauge.builder("demand_adapter_value_age_seconds", this, named -> ageSeconds(named.current))
                    .description("Age of the value served for the metric; NaN before the first successful poll")
                    .tags(tags).register(registry);
        }

        /** The feeders changed: the newest one is read, and the lead gauges exist while it has a lead. */
        void fedBy(MetricState newest) {
            current = newest;
            boolean lead = newest.definition().lead() != null;
            if (lead && leadGauges.isEmpty()) {
                leadGauges = List.of(
                        Gauge.builder("demand_adapter_lead_observed", this, named -> named.current.leadObservedTotal())
                                .description("A metric with a lead: the total of its values as the last poll observed them")
                                .tags(tags).register(registry),
                        Gauge.builder("demand_adapter_lead_served", this, named -> named.current.leadServedTotal())
                                .description("A metric with a lead: the total served, the forecast (never below observed)")
                                .tags(tags).register(registry));
            } else if (!lead) {
                removeLeadGauges();
            }
        }

        void removeLeadGauges() {
            leadGauges.forEach(registry::remove);
            leadGauges = List.of();
        }

        void remove() {
            removeLeadGauges();
            registry.remove(polls);
            registry.remove(errors);
            registry.remove(age);
        }
    }

    @Override
    public synchronized void started(MetricState state) {
        MetricDefinition definition = state.definition();
        Tags tags = Tags.of("metric", definition.key().id(), "describes", definition.key().describes(),
                "type", definition.type());
        Named named = byName.computeIfAbsent(tags, Named::new);
        named.feeders.add(state);
        named.fedBy(state);
        byState.put(state, named);
    }

    @Override
    public void polled(MetricState state, long nanos, boolean failed) {
        Named named = byState.get(state);
        if (named == null) {
            return;
        }
        named.polls.record(nanos, TimeUnit.NANOSECONDS);
        if (failed) {
            named.errors.increment();
        }
    }

    @Override
    public synchronized void retired(MetricState state) {
        Named named = byState.remove(state);
        if (named == null) {
            return;
        }
        named.feeders.remove(state);
        if (named.feeders.isEmpty()) {
            named.remove();
            byName.remove(named.tags);
        } else {
            named.fedBy(named.feeders.get(named.feeders.size() - 1));
        }
    }

    private double ageSeconds(MetricState state) {
        Reading reading = state.reading();
        return reading == null ? Double.NaN : Duration.between(reading.fetchedAt(), clock.instant()).toMillis() / 1000.0;
    }
}
