package io.demandmetrics.hpa;

/** A metric the controller cannot compute a proposal from this sync, in the controller's words. */
public final class MetricUnavailable extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MetricUnavailable(String message) {
        super(message);
    }
}
