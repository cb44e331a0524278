package io.demandmetrics.adapter.store;

import io.demandmetrics.scaler.spi.Sample;
import java.time.Instant;
import java.util.List;

/**
 * The validated result of one successful poll: finite, non-negative values, each with a
 * timestamp, each attributed to an object for custom metrics.
 *
 * @param fetchedAt when the poll completed; staleness is measured from here
 */
public record Reading(List<Sample> samples, Instant fetchedAt) {

    public Reading {
        samples = List.copyOf(samples);
    }
}
