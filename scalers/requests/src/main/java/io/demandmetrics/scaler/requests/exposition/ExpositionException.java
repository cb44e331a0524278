package io.demandmetrics.scaler.requests.exposition;

/**
 * An exposition that cannot be read as a whole, with the line that broke it: "line 12:
 * label value is not valid UTF-8". A broken exposition is rejected whole, as OpenMetrics
 * requires, so no rate is ever computed from half a scrape.
 */
public final class ExpositionException extends Exception {

    private static final long serialVersionUID = 1L;

    public ExpositionException(String message) {
        super(message);
    }

    static ExpositionException at(int line, String problem) {
        return new ExpositionException("line " + line + ": " + problem);
    }
}
