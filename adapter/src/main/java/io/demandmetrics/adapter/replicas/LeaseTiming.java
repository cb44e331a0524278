package io.demandmetrics.adapter.replicas;

import java.time.Duration;

/**
 * The clock of bucket ownership, as client-go's leader election names it.
 *
 * @param leaseDuration how long a Lease that nobody renews keeps others from taking it, counted
 *        from when this replica last saw it change (its own clock: no comparison of clocks
 *        across nodes)
 * @param renewDeadline how long a holder keeps acting as the owner after sending its last
 *        renewal that succeeded; with one retry period for noticing, no longer than
 *        {@code leaseDuration}, so a holder cut off from the API has stopped before anyone may
 *        take over
 * @param retryPeriod how often every Lease is looked at, renewed, and taken when free
 */
public record LeaseTiming(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {

    /**
     * 10 s, 7 s, 2 s: client-go's proportions (15 s, 10 s, 2 s) shortened so that a dead
     * replica's buckets are polled again within 12 s (lease duration + one retry period), as
     * the Lease calls are one LIST and a few small updates per retry period, not an election.
     */
    public static final LeaseTiming DEFAULT = new LeaseTiming(Duration.ofSeconds(10), Duration.ofSeconds(7),
            Duration.ofSeconds(2));

    public LeaseTiming {
        if (retryPeriod.isZero() || retryPeriod.isNegative()) {
            throw new IllegalArgumentException("the retry period must be positive");
        }
        if (renewDeadline.compareTo(retryPeriod) <= 0) {
            throw new IllegalArgumentException("the renew deadline (" + renewDeadline
                    + ") must be longer than the retry period (" + retryPeriod + ")");
        }
        if (leaseDuration.compareTo(renewDeadline.plus(retryPeriod)) < 0) {
            throw new IllegalArgumentException("the lease duration (" + leaseDuration
                    + ") must be at least the renew deadline plus the retry period (" + renewDeadline + " + "
                    + retryPeriod + "): a holder that cannot renew must have stopped before anyone may take over");
        }
        if (leaseDuration.toSeconds() < 1 || leaseDuration.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("the lease duration is written in whole seconds: " + leaseDuration);
        }
    }
}
