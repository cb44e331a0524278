package io.demandmetrics.scaler.requests.exposition;

/** One sample of an exposition: {@code name{labels} value}. Timestamps and exemplars are dropped. */
public record ScrapedSample(String name, Labels labels, double value) {

    @Override
    public String toString() {
        return name + labels + " " + value;
    }
}
