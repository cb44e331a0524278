package io.demandmetrics.adapter.store;

import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.support.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A configured metric's latest reading and latest failure, and what it serves from them.
 * Written by the metric's poller on the store's context, read by any request thread: both are
 * held in one immutable {@link Latest}, swapped whole, so a reader never sees a reading with
 * a failure from another moment.
 */
public final class MetricState {

    private final MetricDefinition definition;
    /** The metric's lead, or null without one. */
    private final LeadForecast lead;
    private final ValueHistory history = new ValueHistory();
    private volatile Latest latest = new Latest(null, null, null);
    /** Why the last reading another replica sent was not kept, or null. */
    private volatile String lastRefusal;
    private volatile String settings;

    /**
     * @param reading the last good reading, or null before the first successful poll
     * @param failure the last failure, or null when the last poll succeeded
     */
    private record Latest(Reading reading, Failure failure, String from) {
    }

    public MetricState(MetricDefinition definition) {
        this.definition = definition;
        this.lead = definition.lead() == null ? null : new LeadForecast(definition.lead(), definition.pollInterval());
    }

    /** With a {@code lead}: the last poll's total as observed and as served; NaN otherwise or before. */
    public double leadObservedTotal() {
        return lead == null ? Double.NaN : lead.observedTotal();
    }

    /** See {@link #leadObservedTotal()}. */
    public double leadServedTotal() {
        return lead == null ? Double.NaN : lead.servedTotal();
    }

    public MetricDefinition definition() {
        return definition;
    }

    /** {@link MetricDefinition#settingsFingerprint()}, worked out once. */
    public String settingsFingerprint() {
        String known = settings;
        if (known == null) {
            known = definition.settingsFingerprint();
            settings = known;
        }
        return known;
    }

    /** The last good reading, or null before the first successful poll. */
    public Reading reading() {
        return latest.reading();
    }

    /** The last failure, or null when the last poll succeeded. */
    public Failure failure() {
        return latest.failure();
    }

    /**
     * A poll's validated reading becomes the one served: with a {@code lead}, its values
     * multiplied by the forecast's ratio for its total; without, as it is. Totals are of what a
     * request with no selector is served ({@link Combine#total}): a latency metric's quantiles,
     * not its bucket rates. The history keeps the served total.
     */
    void succeeded(Reading observed) {
        double total = total(observed);
        Reading served = lead == null || Double.isNaN(total) ? observed : lead.apply(observed, total);
        latest = new Latest(served, null, null);
        double servedTotal = served == observed ? total : total(served);
        if (!Double.isNaN(servedTotal)) {
            history.record(served.fetchedAt(), servedTotal);
        }
    }

    /**
     * A reading the metric's owner on another replica polled and serves (its lead already
     * applied), with its last failure: kept unless the one held is newer, so that while two
     * replicas both poll for a moment during a takeover the newest reading wins.
     *
     * @param served null when the owner has no good reading yet
     * @param failure the owner's last failure, or null
     * @param from the replica that sent it, named when the value goes stale
     * @return whether it was kept
     */
    boolean replicated(Reading served, Failure failure, String from) {
        Latest seen = latest;
        if (served != null && seen.reading() != null && served.fetchedAt().isBefore(seen.reading().fetchedAt())) {
            return false;
        }
        Reading kept = served != null ? served : seen.reading();
        latest = new Latest(kept, failure, from);
        lastRefusal = null;
        if (served != null && served != seen.reading()) {
            double total = total(served);
            if (!Double.isNaN(total)) {
                history.record(served.fetchedAt(), total);
            }
        }
        return true;
    }

    /**
     * Another replica's reading was not kept, for {@code why}: said when the value goes stale,
     * so a replica whose config differs from the owner's says so instead of going quietly stale.
     */
    void refused(String why) {
        lastRefusal = why;
    }

    /** The reading's served total; NaN when its provider cannot combine it (requests say why). */
    private double total(Reading reading) {
        try {
            return Combine.total(definition, reading.samples());
        } catch (RequestFailure e) {
            return Double.NaN;
        }
    }

    /** The last hour of the served total, for the explain page. */
    public ValueHistory history() {
        return history;
    }

    void failed(Failure failure) {
        latest = new Latest(latest.reading(), failure, null);
    }

    /**
     * What to serve at {@code now}: the last reading while it is no older than maxAge, else
     * the fallback value when defined.
     *
     * @throws RequestFailure.StaleValue naming the metric, how stale it is and the last source error
     */
    public ServedSamples serve(Instant now) {
        Latest seen = latest;
        Reading current = seen.reading();
        if (fresh(current, now)) {
            return new ServedSamples(current.samples(), null, current.fetchedAt());
        }
        Double fallback = definition.fallback();
        if (fallback != null) {
            return new ServedSamples(fallbackSamples(current, fallback, now), fallback, now);
        }
        throw new RequestFailure.StaleValue(unavailableMessage(seen, now));
    }

    /** What {@link #serve} does at {@code now}, and why, in words an operator reads. */
    public enum Health {
        OK("ok"),
        LAST_GOOD("serving the last good value; the last poll failed"),
        FALLBACK("stale: serving the fallback"),
        STALE("stale: answering 503"),
        WAITING("waiting for the first poll"),
        FAILING("failing, nothing served yet");

        private final String description;

        Health(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /**
     * What an operator reads about the metric at {@code now}, from one look at its latest
     * reading and failure (so its health, reading time and error agree with each other).
     *
     * @param fetchedAt when the reading served (or last served) was taken; null before the first
     * @param failure the last poll's failure, or null when it succeeded
     * @param leadObservedTotal with a {@code lead}: the last poll's total as observed; NaN otherwise or before
     * @param leadServedTotal with a {@code lead}: the same total as served, the forecast applied
     */
    public record Status(Health health, Instant fetchedAt, Failure failure, double leadObservedTotal,
                         double leadServedTotal) {
    }

    /** The metric's {@link Status} at {@code now}. */
    public Status status(Instant now) {
        Latest seen = latest;
        return new Status(health(seen, now), seen.reading() == null ? null : seen.reading().fetchedAt(),
                seen.failure(), leadObservedTotal(), leadServedTotal());
    }

    /** The rule {@link #serve} follows, named. */
    public Health health(Instant now) {
        return health(latest, now);
    }

    private Health health(Latest seen, Instant now) {
        if (fresh(seen.reading(), now)) {
            return seen.failure() == null ? Health.OK : Health.LAST_GOOD;
        }
        if (definition.fallback() != null) {
            return Health.FALLBACK;
        }
        if (seen.reading() != null) {
            return Health.STALE;
        }
        return seen.failure() == null ? Health.WAITING : Health.FAILING;
    }

    private boolean fresh(Reading reading, Instant now) {
        return reading != null && !now.isAfter(reading.fetchedAt().plus(definition.maxAge()));
    }

    private List<Sample> fallbackSamples(Reading last, double fallback, Instant now) {
        if (definition.key().isExternal()) {
            return List.of(Sample.of(fallback).at(now));
        }
        // Custom metrics: the objects last seen, plus the configured one.
        Set<DescribedObject> objects = new LinkedHashSet<>();
        if (last != null) {
            last.samples().forEach(s -> objects.add(s.object()));
        }
        if (definition.object() != null) {
            objects.add(DescribedObject.named(definition.object()));
        }
        List<Sample> samples = new ArrayList<>();
        for (DescribedObject object : objects) {
            samples.add(new Sample(object, Map.of(), fallback, now, null));
        }
        return samples;
    }

    private String unavailableMessage(Latest seen, Instant now) {
        Reading last = seen.reading();
        Failure latest = seen.failure();
        String cause = latest == null ? "" : "; last error " + ago(latest.at(), now) + ": " + latest.message();
        String id = "metric \"" + definition.key().id() + "\"";
        String refusal = lastRefusal == null ? "" : "; readings from the replica that polls it are refused: " + lastRefusal;
        if (last == null) {
            return id + " has no value yet" + (latest == null && refusal.isEmpty()
                    ? ": the first poll has not completed" : cause + refusal);
        }
        String sender = seen.from() == null ? "" : ", sent by replica " + seen.from() + ", whose readings stopped arriving";
        return id + " has no value newer than its maxAge of " + Durations.format(definition.maxAge())
                + " (last value " + ago(last.fetchedAt(), now) + sender + ")" + cause + refusal;
    }

    private static String ago(Instant then, Instant now) {
        Duration age = Duration.between(then, now);
        return (age.isNegative() || age.toSeconds() == 0 ? "0s" : Durations.format(Duration.ofSeconds(age.toSeconds())))
                + " ago";
    }
}
