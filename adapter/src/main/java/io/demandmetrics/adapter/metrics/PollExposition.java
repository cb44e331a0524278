package io.demandmetrics.adapter.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Writes every metric's poll meters ({@link PollMeters}) in the Prometheus text format or in
 * OpenMetrics, straight from the meters into the stream: nothing per series outlives its line.
 * The lines are the ones Micrometer's Prometheus registry writes for the same meters (names,
 * types, help, label and number formats, series order), so dashboards and alerts see no
 * difference.
 */
public final class PollExposition {

    private final PollMeters meters;

    public PollExposition(PollMeters meters) {
        this.meters = meters;
    }

    /** The families, each whole: write them after (or before) other families, never inside one. */
    public void write(OutputStream out, boolean openMetrics) throws IOException {
        write(out, openMetrics, FamilyFilter.ALL);
    }

    /** The families {@code filter} shows, each whole. */
    public void write(OutputStream out, boolean openMetrics, FamilyFilter filter) throws IOException {
        List<PollMeters.Meters> all = meters.current();
        Family family = new Family(new Lines(out), openMetrics);
        if (all.stream().anyMatch(m -> m.leadObserved() != null)) {
            if (filter.includes("demand_adapter_lead_observed")) {
                family.gauge(all, "demand_adapter_lead_observed", PollMeters.LEAD_OBSERVED_HELP,
                        PollMeters.Meters::leadObserved);
            }
            if (filter.includes("demand_adapter_lead_served")) {
                family.gauge(all, "demand_adapter_lead_served", PollMeters.LEAD_SERVED_HELP,
                        PollMeters.Meters::leadServed);
            }
        }
        if (filter.includes("demand_adapter_poll_errors")) {
            family.header("demand_adapter_poll_errors", "_total", "counter", PollMeters.ERRORS_HELP);
            byte[] errors = ascii("demand_adapter_poll_errors_total");
            for (PollMeters.Meters m : all) {
                family.sample(errors, m.labels(), m.errors().count());
            }
        }
        if (filter.includes("demand_adapter_poll_seconds")) {
            family.header("demand_adapter_poll_seconds", "", "summary", PollMeters.POLLS_HELP);
            byte[] count = ascii("demand_adapter_poll_seconds_count");
            byte[] sum = ascii("demand_adapter_poll_seconds_sum");
            for (PollMeters.Meters m : all) {
                family.sample(count, m.labels(), Long.toString(m.polls().count()));
                family.sample(sum, m.labels(), m.polls().totalTime(TimeUnit.SECONDS));
            }
        }
        if (filter.includes("demand_adapter_poll_seconds_max")) {
            family.header("demand_adapter_poll_seconds_max", "", "gauge", PollMeters.POLLS_HELP);
            byte[] max = ascii("demand_adapter_poll_seconds_max");
            for (PollMeters.Meters m : all) {
                family.sample(max, m.labels(), m.polls().max(TimeUnit.SECONDS));
            }
        }
        if (filter.includes("demand_adapter_value_age_seconds")) {
            family.gauge(all, "demand_adapter_value_age_seconds", PollMeters.AGE_HELP, PollMeters.Meters::age);
        }
        family.lines.flush();
    }

    private static byte[] ascii(String name) {
        return name.getBytes(StandardCharsets.US_ASCII);
    }

    /** The label set {@code {key="value",...}} of {@code tags}, as both formats write it. */
    static String labels(Tags tags) {
        StringBuilder labels = new StringBuilder("{");
        for (Tag tag : tags) {
            if (labels.length() > 1) {
                labels.append(',');
            }
            labels.append(tag.getKey()).append("=\"");
            escape(labels, tag.getValue(), true);
            labels.append('"');
        }
        return labels.append('}').toString();
    }

    private static void escape(StringBuilder to, String text, boolean quotes) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> to.append("\\\\");
                case '\n' -> to.append("\\n");
                case '"' -> to.append(quotes ? "\\\"" : "\"");
                default -> to.append(c);
            }
        }
    }

    /**
     * Bytes into a buffer, written to the stream when it fills: a line is its name and labels
     * (encoded once), a number (ASCII) and a newline, with no charset encoder at each write.
     * At 10,000 metrics this is 50,000 lines a scrape; through a Writer their encoding was a
     * third of building the exposition.
     */
    private static final class Lines {
        private final OutputStream out;
        private final byte[] buffer = new byte[16 * 1024];
        private int used;

        Lines(OutputStream out) {
            this.out = out;
        }

        void bytes(byte[] bytes) throws IOException {
            if (bytes.length > buffer.length - used) {
                flush();
                if (bytes.length > buffer.length) {
                    out.write(bytes);
                    return;
                }
            }
            System.arraycopy(bytes, 0, buffer, used, bytes.length);
            used += bytes.length;
        }

        /** {@code text} that is ASCII (numbers). */
        void ascii(String text) throws IOException {
            if (text.length() > buffer.length - used) {
                flush();
            }
            for (int i = 0; i < text.length(); i++) {
                buffer[used++] = (byte) text.charAt(i);
            }
        }

        void text(String text) throws IOException {
            bytes(text.getBytes(StandardCharsets.UTF_8));
        }

        void flush() throws IOException {
            out.write(buffer, 0, used);
            used = 0;
        }
    }

    /** Writes one family's header and samples in the chosen format. */
    private static final class Family {
        private static final byte[] SPACE = {' '};
        private static final byte[] NEWLINE = {'\n'};

        final Lines lines;
        private final boolean openMetrics;

        Family(Lines lines, boolean openMetrics) {
            this.lines = lines;
            this.openMetrics = openMetrics;
        }

        void gauge(List<PollMeters.Meters> all, String name, String help, Function<PollMeters.Meters, Gauge> gauge)
                throws IOException {
            header(name, "", "gauge", help);
            byte[] sampleName = ascii(name);
            for (PollMeters.Meters m : all) {
                Gauge g = gauge.apply(m);
                if (g != null) {
                    sample(sampleName, m.labels(), g.value());
                }
            }
        }

        /**
         * {@code # HELP} and {@code # TYPE}: the text format names a counter with its
         * {@code suffix} and writes HELP first; OpenMetrics names the family bare, TYPE first,
         * and escapes quotes in HELP too.
         */
        void header(String name, String suffix, String type, String help) throws IOException {
            StringBuilder escaped = new StringBuilder();
            escape(escaped, help, openMetrics);
            if (openMetrics) {
                lines.text("# TYPE " + name + " " + type + "\n# HELP " + name + " " + escaped + "\n");
            } else {
                lines.text("# HELP " + name + suffix + " " + escaped + "\n# TYPE " + name + suffix + " " + type + "\n");
            }
        }

        void sample(byte[] name, byte[] labels, double value) throws IOException {
            sample(name, labels, number(value));
        }

        void sample(byte[] name, byte[] labels, String value) throws IOException {
            lines.bytes(name);
            lines.bytes(labels);
            lines.bytes(SPACE);
            lines.ascii(value);
            lines.bytes(NEWLINE);
        }

        private static String number(double value) {
            if (value == Double.POSITIVE_INFINITY) {
                return "+Inf";
            }
            return value == Double.NEGATIVE_INFINITY ? "-Inf" : Double.toString(value);
        }
    }
}
