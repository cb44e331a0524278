package io.demandmetrics.adapter.store;

import io.demandmetrics.adapter.api.Status;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Durations;
import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A configured metric's latest value and latest failure. Written by the poller, read by any
 * request thread: both fields hold immutable values and are swapped whole.
 */
public final class MetricState {

    private final MetricDefinition definition;
    private volatile Reading reading;
    private volatile Failure failure;
    private volatile EncodedAnswer lastAnswer;

    /**
     * A response body encoded from one list of served samples for one request. The body is a
     * function of those two alone, so it is reused while both stay the same: a metric asked
     * the same question many times between polls is encoded once.
     */
    private record EncodedAnswer(List<Sample> samples, String request, Buffer body) {
    }

    public MetricState(MetricDefinition definition) {
        this.definition = definition;
    }

    public MetricDefinition definition() {
        return definition;
    }

    /** The last good reading, or null before the first successful poll. */
    public Reading reading() {
        return reading;
    }

    /** The last failure, or null when the last poll succeeded. */
    public Failure failure() {
        return failure;
    }

    /** The body encoded earlier for exactly these samples (by identity) and this request, or null. */
    public Buffer encodedAnswer(List<Sample> samples, String request) {
        EncodedAnswer answer = lastAnswer;
        return answer != null && answer.samples() == samples && answer.request().equals(request) ? answer.body() : null;
    }

    /** Keeps a body encoded from {@code samples} for {@code request}, replacing the previous one. */
    public void rememberAnswer(List<Sample> samples, String request, Buffer body) {
        lastAnswer = new EncodedAnswer(samples, request, body);
    }

    void succeeded(Reading fresh) {
        reading = fresh;
        failure = null;
    }

    void failed(Failure latest) {
        failure = latest;
    }

    /**
     * What to serve at {@code now}: the last reading while it is no older than maxAge, else
     * the fallback value when defined.
     *
     * @throws Status 503 naming the metric, how stale it is and the last source error
     */
    public Served serve(Instant now) {
        Reading current = reading;
        if (current != null && Duration.between(current.fetchedAt(), now).compareTo(definition.maxAge()) <= 0) {
            return new Served(current.samples(), null);
        }
        Double fallback = definition.fallback();
        if (fallback != null) {
            return new Served(fallbackSamples(current, fallback, now), fallback);
        }
        throw Status.serviceUnavailable(unavailableMessage(current, now));
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

    private String unavailableMessage(Reading last, Instant now) {
        Failure latest = failure;
        String cause = latest == null ? "" : "; last error " + ago(latest.at(), now) + ": " + latest.message();
        String id = "metric \"" + definition.key().id() + "\"";
        if (last == null) {
            return id + " has no value yet" + (latest == null ? ": the first poll has not completed" : cause);
        }
        return id + " has no value newer than its maxAge of " + Durations.format(definition.maxAge())
                + " (last value " + ago(last.fetchedAt(), now) + ")" + cause;
    }

    private static String ago(Instant then, Instant now) {
        Duration age = Duration.between(then, now);
        return (age.isNegative() || age.toSeconds() == 0 ? "0s" : Durations.format(Duration.ofSeconds(age.toSeconds())))
                + " ago";
    }
}
