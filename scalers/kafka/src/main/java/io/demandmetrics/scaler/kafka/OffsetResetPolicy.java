package io.demandmetrics.scaler.kafka;

/** Where a consumer without a committed offset starts, which decides what its lag counts as. */
enum OffsetResetPolicy {
    /** Starts at the end: KEDA counts lag 1 per such partition (0 with scaleToZeroOnInvalidOffset). */
    LATEST,
    /** Starts at the beginning: KEDA counts the partition's latest offset (0 with the flag). */
    EARLIEST
}
