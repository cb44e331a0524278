package io.demandmetrics.adapter.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Everything /metrics shows: the adapter's own meters from Micrometer's Prometheus registry
 * (a few hundred series whatever the config), then every metric's poll meters
 * ({@link PollExposition}), and in OpenMetrics the one {@code # EOF} after both.
 */
public final class Exposition {

    public static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final byte[] EOF = "# EOF\n".getBytes(StandardCharsets.UTF_8);

    private final PrometheusMeterRegistry registry;
    private final PollExposition polls;

    public Exposition(PrometheusMeterRegistry registry, PollExposition polls) {
        this.registry = registry;
        this.polls = polls;
    }

    /**
     * Writes the families {@code filter} shows ({@link FamilyFilter#ALL}: the whole exposition) in
     * {@code contentType} ({@link #OPENMETRICS} or {@link #PROMETHEUS_TEXT}).
     */
    public void write(OutputStream out, String contentType, FamilyFilter filter) throws IOException {
        boolean openMetrics = OPENMETRICS.equals(contentType);
        ByteArrayOutputStream own = new ByteArrayOutputStream(64 * 1024);
        registry.scrape(own, contentType, filter.familiesOrNull());
        byte[] bytes = own.toByteArray();
        int length = bytes.length;
        if (openMetrics && endsWith(bytes, EOF)) {
            length -= EOF.length; // written once, after the poll meters
        }
        out.write(bytes, 0, length);
        polls.write(out, openMetrics, filter);
        if (openMetrics) {
            out.write(EOF);
        }
    }

    private static boolean endsWith(byte[] bytes, byte[] suffix) {
        return bytes.length >= suffix.length
                && Arrays.equals(bytes, bytes.length - suffix.length, bytes.length, suffix, 0, suffix.length);
    }
}
