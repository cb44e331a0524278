package io.demandmetrics.adapter.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One metric's poll failures in the log: each distinct failure once, not once per poll, and
 * the recovery after it. A source down for an hour is two lines, not 240.
 */
final class FailureLog {

    private static final Logger LOG = LoggerFactory.getLogger(MetricStore.class);

    private final String metric;
    private String logged;

    /** @param metric how messages name the metric: {@code metric "shop/lag" (type "kafka-lag")} */
    FailureLog(String metric) {
        this.metric = metric;
    }

    void failed(String failure) {
        if (!failure.equals(logged)) {
            LOG.warn("{}: poll failed: {}", metric, failure);
            logged = failure;
        }
    }

    void succeeded() {
        if (logged != null) {
            LOG.info("{}: polling recovered", metric);
            logged = null;
        }
    }
}
