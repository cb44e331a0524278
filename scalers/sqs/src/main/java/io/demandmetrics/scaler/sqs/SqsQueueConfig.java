package io.demandmetrics.scaler.sqs;

/**
 * One {@code aws-sqs-queue} metric's settings, named and defaulted as KEDA's trigger.
 *
 * @param activationQueueLength a value at or below it is served as 0
 */
record SqsQueueConfig(QueueAddress queue, ClientSettings client, long activationQueueLength,
                      boolean scaleOnInFlight, boolean scaleOnDelayed) {
}
