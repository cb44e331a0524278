package io.demandmetrics.scaler.spi;

/**
 * Marks a poll failure that passes by itself once the scaler has seen enough of its source,
 * such as a rate that needs a second scrape. Implement it on the exception a
 * {@link Scaler#fetch()} future fails with.
 *
 * <p>The adapter treats the poll as failed (the metric serves no value from it) but logs it at
 * INFO, as waiting, while the metric has been polling for less than its {@code maxAge}; a
 * failure that lasts longer is logged as a warning like any other.
 */
public interface WarmingUp {
}
