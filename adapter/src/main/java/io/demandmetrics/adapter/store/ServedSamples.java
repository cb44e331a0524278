package io.demandmetrics.adapter.store;

import io.demandmetrics.scaler.spi.Sample;
import java.time.Instant;
import java.util.List;

/**
 * What a metric serves now: the last fresh reading's samples, or, when there is none and the
 * metric defines one, its fallback value.
 *
 * @param samples the reading's samples (the same list instance for as long as the reading is
 *     current, so a caller can tell "unchanged" by identity), or fallback samples made for
 *     this call
 * @param fallback the fallback value in force, or null when {@code samples} are fresh
 * @param at when the samples were read; a sample without its own timestamp was measured then
 */
public record ServedSamples(List<Sample> samples, Double fallback, Instant at) {
}
