package io.demandmetrics.adapter.metrics;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.adapter.store.PollListener;
import io.demandmetrics.adapter.store.Reading;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Each configured metric's meters at /metrics: its polls, its failed polls, the age of its
 * served value and, with a lead, its observed and served totals.
 *
 * <p>At ten thousand metrics these are fifty thousand series, so they are not scraped through
 * Micrometer's Prometheus registry (whose scrape copies every series into a snapshot first:
 * hundreds of milliseconds and tens of megabytes that live long enough to be promoted, and whose
 * collection pauses the HPA's answers too). The meters live in a registry of their own and
 * {@link PollExposition} streams them from {@link #current()}.
 *
 * <p>The meters belong to what names them (the metric's key and scaler type), not to a poller:
 * a reload that replaces a metric's poller hands the same meters to the new one, which feeds
 * them from then on, and they are removed only when no poller of that name is left. Per-metric
 * meters are a count, a sum and a max (no histogram): at ten thousand metrics a histogram each
 * would cost more than the values they describe.
 */
public final class PollMeters implements PollListener {

    static final String POLLS_HELP = "Polls of the metric's source, successful or not";
    static final String ERRORS_HELP = "Failed polls of the metric's source";
    static final String AGE_HELP = "Age of the value served for the metric; NaN before the first successful poll";
    static final String LEAD_OBSERVED_HELP = "A metric with a lead: the total of its values as the last poll observed them";
    static final String LEAD_SERVED_HELP = "A metric with a lead: the total served, the forecast (never below observed)";

    private final MeterRegistry registry;
    private final Clock clock;
    /** Guarded by {@code this}: started and retired are rare. */
    private final Map<Tags, Named> byName = new HashMap<>();
    /** Read on every poll. */
    private final Map<MetricState, Named> byState = new ConcurrentHashMap<>();
    /**
     * Guarded by {@code this}: {@code byName}'s values in the order of their tags, kept between
     * scrapes (sorting ten thousand tag sets was a sixth of a scrape's CPU); null when a name
     * came or went.
     */
    private List<Named> sorted;

    /** @param registry where the meters live; one that /metrics does not scrape itself (see above) */
    public PollMeters(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /** One metric's meters as /metrics shows them; the lead gauges are null without a lead. */
    record Meters(Tags tags, byte[] labels, Timer polls, Counter errors, Gauge age, Gauge leadObserved,
                  Gauge leadServed) {
    }

    /** Every metric's meters now, in the order of their tags (as a Prometheus registry lists its series). */
    List<Meters> current() {
        List<Meters> all;
        synchronized (this) {
            if (sorted == null) {
                sorted = new ArrayList<>(byName.values());
                sorted.sort((a, b) -> compare(a.tags, b.tags));
            }
            all = new ArrayList<>(sorted.size());
            for (Named named : sorted) {
                List<Gauge> lead = named.leadGauges;
                all.add(new Meters(named.tags, named.labels, named.polls, named.errors, named.age,
                        lead.isEmpty() ? null : lead.get(0), lead.isEmpty() ? null : lead.get(1)));
            }
        }
        return all;
    }

    /** Tag by tag (Tags keep their tags sorted by key), key then value. */
    private static int compare(Tags a, Tags b) {
        Iterator<Tag> left = a.iterator();
        Iterator<Tag> right = b.iterator();
        while (left.hasNext() && right.hasNext()) {
            Tag l = left.next();
            Tag r = right.next();
            int order = l.getKey().compareTo(r.getKey());
            if (order == 0) {
                order = l.getValue().compareTo(r.getValue());
            }
            if (order != 0) {
                return order;
            }
        }
        return Boolean.compare(left.hasNext(), right.hasNext());
    }

    /** One name's meters and the pollers that feed them, the newest last. */
    private final class Named {
        final Tags tags;
        /** The tags as a Prometheus label set in UTF-8, encoded once per metric rather than once per line. */
        final byte[] labels;
        final List<MetricState> feeders = new ArrayList<>();
        /** The newest feeder, whose value's age and lead totals the gauges read. */
        volatile MetricState current;
        final Timer polls;
        final Counter errors;
        final Gauge age;
        List<Gauge> leadGauges = List.of();

        Named(Tags tags) {
            this.tags = tags;
            this.labels = PollExposition.labels(tags).getBytes(StandardCharsets.UTF_8);
            polls = Timer.builder("demand_adapter_poll").description(POLLS_HELP)
                    .tags(tags).register(registry);
            errors = Counter.builder("demand_adapter_poll_errors").description(ERRORS_HELP)
                    .tags(tags).register(registry);
            age = Gauge.builder("demand_adapter_value_age_seconds", this, named -> ageSeconds(named.current))
                    .description(AGE_HELP)
                    .tags(tags).register(registry);
        }

        /** The feeders changed: the newest one is read, and the lead gauges exist while it has a lead. */
        void fedBy(MetricState newest) {
            current = newest;
            boolean lead = newest.definition().lead() != null;
            if (lead && leadGauges.isEmpty()) {
                leadGauges = List.of(
                        Gauge.builder("demand_adapter_lead_observed", this, named -> named.current.leadObservedTotal())
                                .description(LEAD_OBSERVED_HELP)
                                .tags(tags).register(registry),
                        Gauge.builder("demand_adapter_lead_served", this, named -> named.current.leadServedTotal())
                                .description(LEAD_SERVED_HELP)
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
        Named named = byName.get(tags);
        if (named == null) {
            named = new Named(tags);
            byName.put(tags, named);
            sorted = null;
        }
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
            sorted = null;
        } else {
            named.fedBy(named.feeders.get(named.feeders.size() - 1));
        }
    }

    private double ageSeconds(MetricState state) {
        Reading reading = state.reading();
        // Millisecond arithmetic, not Duration.between: read for 10,000 metrics at every scrape.
        return reading == null ? Double.NaN : (clock.millis() - reading.fetchedAt().toEpochMilli()) / 1000.0;
    }
}
