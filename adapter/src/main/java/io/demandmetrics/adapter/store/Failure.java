package io.demandmetrics.adapter.store;

import java.time.Instant;

/** The last failed poll of a metric: what went wrong, and when. */
public record Failure(String message, Instant at) {
}
