package io.demandmetrics.scaler.requests.exposition;

import java.util.Locale;

/** The two text formats a scrape target may answer in. */
public enum Format {

    /** Prometheus text format 0.0.4: blank lines allowed, timestamps in milliseconds. */
    TEXT,

    /** OpenMetrics 1.0: single spaces, timestamps in seconds, exemplars, ends with {@code # EOF}. */
    OPENMETRICS;

    /** What a scraper asks for, preferring OpenMetrics as Prometheus does. */
    public static final String ACCEPT =
            "application/openmetrics-text;version=1.0.0;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    /** The format of an answer by its Content-Type; text when absent or anything else. */
    public static Format ofContentType(String contentType) {
        return contentType != null
                && contentType.trim().toLowerCase(Locale.ROOT).startsWith("application/openmetrics-text")
                ? OPENMETRICS : TEXT;
    }
}
