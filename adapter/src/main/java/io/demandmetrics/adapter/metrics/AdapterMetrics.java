package io.demandmetrics.adapter.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * The adapter's own Prometheus metrics about serving: requests by route and code (with a
 * histogram: there are few routes), connections, config and certificate reloads. Each
 * metric's polling has its own meters ({@link PollMeters}).
 */
public final class AdapterMetrics {

    private static final Duration[] REQUEST_BUCKETS = {
        Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(1000)};

    private final MeterRegistry registry;
    /** Per route template, its timers indexed by status code (100-599): nothing is built per request. */
    private final Map<String, AtomicReferenceArray<Timer>> requestTimers = new ConcurrentHashMap<>();
    private final Counter reloadsApplied;
    private final Counter reloadsRejected;
    private final Counter certificatesApplied;
    private final Counter certificatesRejected;
    private final AtomicInteger requestsInFlight = new AtomicInteger();
    private final AtomicInteger connectionsOpen = new AtomicInteger();
    private final Counter connectionsOpened;
    private final Counter requestsUnanswered;

    public AdapterMetrics(MeterRegistry registry) {
        this.registry = registry;
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
        this.requestsUnanswered = Counter.builder("demand_adapter_http_requests_unanswered")
                .description("Requests whose connection or stream closed before their answer was written: the"
                        + " client left, or the server shut down before answering")
                .register(registry);
    }

    /** Bytes the large answers ({@code /metrics}, explain) hold outside the heap now, as {@code held} reads them. */
    public void largeAnswerBytes(LongSupplier held) {
        // Held strongly: Micrometer keeps only a weak reference to a gauge's object by default,
        // and nothing else holds this supplier.
        Gauge.builder("demand_adapter_large_answers_bytes", held, LongSupplier::getAsLong).strongReference(true)
                .description("Bytes of built /metrics and explain answers held outside the heap: being sent, or"
                        + " shared with the next reader").register(registry);
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

    /** @param answered whether the answer was written, or the connection or stream closed first */
    public void requestEnded(boolean answered) {
        requestsInFlight.decrementAndGet();
        if (!answered) {
            requestsUnanswered.increment();
        }
    }

    /** Requests whose connection or stream closed before their answer was written, since start. */
    public long requestsUnanswered() {
        return (long) requestsUnanswered.count();
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
}
