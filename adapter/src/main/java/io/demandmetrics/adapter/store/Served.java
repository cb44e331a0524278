package io.demandmetrics.adapter.store;

import io.demandmetrics.scaler.spi.Sample;
import java.util.List;

/**
 * What a request gets: the last fresh reading's samples, or, when there is none and the
 * metric defines one, its fallback value.
 *
 * @param fallback the fallback value in force, or null when {@code samples} are fresh
 */
public record Served(List<Sample> samples, Double fallback) {
}
