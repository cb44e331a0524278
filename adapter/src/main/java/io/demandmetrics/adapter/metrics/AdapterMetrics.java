package io.demandmetrics.adapter.metrics;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.adapter.store.Reading;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The adapter's own Prometheus metrics: requests by route and code, polls and poll errors
 * per metric, and the age of each metric's served value.
 *
 * <p>Per-metric meters are a count, a sum and a max (no histogram): at ten thousand metrics a
 * histogram each would cost more than the values they describe. Request latency, with few
 * routes, has a histogram.
 */
public final class AdapterMetrics {

    private static final Duration[] REQUEST_BUCKETS = {
        Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(1000)};

    private final MeterRegistry registry;
    private final Clock clock;
    /** Per route template, its timers indexed by status code (100-599): nothing is built per request. */
    private final Map<String, AtomicReferenceArray<Timer>> requestTimers = new ConcurrentHashMap<>();
    private final Map<MetricState, List<Meter>> perMetric = new ConcurrentHashMap<>();
    private final Counter reloadsApplied;
    private final Counter reloadsRejected;
    private final Counter certificatesApplied;
    private final Counter certificatesRejected;
    private final AtomicInteger requestsInFlight = new AtomicInteger();
    private final AtomicInteger connectionsOpen = new AtomicInteger();
    private final Counter connectionsOpened;

    public AdapterMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        this.reloadsApplied = Counter.builder("demand_adapter_config_reloads").tag("result", "applied")
                .description("Config file changes applied").register(registry);
        this.reloadsRejected = Counter.builder("demand_adapter_config_reloads").tag("result", "rejected")
                .description("Config file changes rejected as invalid; the running config was kept")
                .register(registry);
        this.certificatesApplied = Counter.builder("demand_adapter_certificate_reloads").tag("result", "applied")
                .description("Serving certificate changes applied").register(registry);
        this.certificatesRejected = Counter.builder("demand_adapter_certificate_reloads").tag("result", "rejected")
                .description("Serving certificate changes that could not be read or were refused; the served"
                        + " certificate was kept").register(registry);
        Gauge.builder("demand_adapter_http_requests_in_flight", requestsInFlight, AtomicInteger::get)
                .description("Requests routed and not yet answered (or abandoned by their client)")
                .register(registry);
        Gauge.builder("demand_adapter_http_connections_open", connectionsOpen, AtomicInteger::get)
                .description("Client connections open now (TLS handshake done)").register(registry);
        this.connectionsOpened = Counter.builder("demand_adapter_http_connections_opened")
                .description("Client connections accepted; the aggregator keeps a few open and reuses them")
                .register(registry);
    }

    /** A client connection opened; {@link #connectionClosed} follows when it closes. */
    public void connectionOpened() {
        connectionsOpened.increment();
        connectionsOpen.incrementAndGet();
    }

    public void connectionClosed() {
        connectionsOpen.decrementAndGet();
    }

    /** A routed request starts; {@link #requestEnded} must follow, answered or not. */
    public void requestStarted() {
        requestsInFlight.incrementAndGet();
    }

    public void requestEnded() {
        requestsInFlight.decrementAndGet();
    }

    /** Routed requests not yet answered. */
    public int requestsInFlight() {
        return requestsInFlight.get();
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Records one answered request; {@code route} is a template such as {@code custom-object}. */
    public void request(String route, int code, long nanos) {
        AtomicReferenceArray<Timer> byCode = requestTimers.get(route);
        if (byCode == null) {
            byCode = requestTimers.computeIfAbsent(route, r -> new AtomicReferenceArray<>(600));
        }
        int index = code >= 100 && code < 600 ? code : 0; // 0: a code outside HTTP's range, never expected
        Timer timer = byCode.get(index);
        if (timer == null) {
            timer = Timer.builder("demand_adapter_http_requests")
                    .description("Requests answered, by route template and HTTP status code")
                    .tags("route", route, "code", index == 0 ? "other" : Integer.toString(code))
                    .serviceLevelObjectives(REQUEST_BUCKETS)
                    .register(registry); // the registry returns the one meter for these tags, however often asked
            byCode.compareAndSet(index, null, timer);
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void configReload(boolean applied) {
        (applied ? reloadsApplied : reloadsRejected).increment();
    }

    public void certificateReload(boolean applied) {
        (applied ? certificatesApplied : certificatesRejected).increment();
    }

    /** Registers the per-metric meters of a metric that starts polling. */
    public void track(MetricState state) {
        MetricDefinition definition = state.definition();
        Tags tags = Tags.of("metric", definition.key().id(), "describes", definition.key().describes(),
                "type", definition.type());
        List<Meter> meters = List.of(
                Timer.builder("demand_adapter_poll").description("Polls of the metric's source, successful or not")
                        .tags(tags).register(registry),
                Counter.builder("demand_adapter_poll_errors").description("Failed polls of the metric's source")
                        .tags(tags).register(registry),
                Gauge.builder("demand_adapter_value_age_seconds", state, this::ageSeconds)
                        .description("Age of the value served for the metric; NaN before the first successful poll")
                        .tags(tags).register(registry));
        if (definition.lead() != null) {
            meters = new java.util.ArrayList<>(meters);
            meters.add(Gauge.builder("demand_adapter_lead_observed", state, MetricState::leadObservedTotal)
                    .description("A metric with a lead: the total of its values as the last poll observed them")
                    .tags(tags).register(registry));
            meters.add(Gauge.builder("demand_adapter_lead_served", state, MetricState::leadServedTotal)
                    .description("A metric with a lead: the total served, the forecast (never below observed)")
                    .tags(tags).register(registry));
        }
        perMetric.put(state, meters);
    }

    /** Removes the meters of a metric that stopped polling. */
    public void untrack(MetricState state) {
        List<Meter> meters = perMetric.remove(state);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }

    public void poll(MetricState state, long nanos, boolean failed) {
        List<Meter> meters = perMetric.get(state);
        if (meters == null) {
            return;
        }
        ((Timer) meters.get(0)).record(nanos, TimeUnit.NANOSECONDS);
        if (failed) {
            ((Counter) meters.get(1)).increment();
        }
    }

    private double ageSeconds(MetricState state) {
        Reading reading = state.reading();
        return reading == null ? Double.NaN : Duration.between(reading.fetchedAt(), clock.instant()).toMillis() / 1000.0;
    }
}
