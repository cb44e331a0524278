package io.demandmetrics.scaler.requests.scrape;

/** A scrape that gave no usable exposition, with why, in words for /metrics and the 503. */
public class ScrapeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ScrapeException(String message) {
        super(message, null, false, false);
    }
}
