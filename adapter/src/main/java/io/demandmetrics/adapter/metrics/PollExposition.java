package io.demandmetrics.adapter.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
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
        List<PollMeters.Meters> all = meters.current();
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 16 * 1024);
        Family family = new Family(writer, openMetrics);
        if (all.stream().anyMatch(m -> m.leadObserved() != null)) {
            family.gauge(all, "demand_adapter_lead_observed", PollMeters.LEAD_OBSERVED_HELP, PollMeters.Meters::leadObserved);
            family.gauge(all, "demand_adapter_lead_served", PollMeters.LEAD_SERVED_HELP, PollMeters.Meters::leadServed);
        }
        family.header("demand_adapter_poll_errors", "_total", "counter", PollMeters.ERRORS_HELP);
        for (PollMeters.Meters m : all) {
            family.sample("demand_adapter_poll_errors_total", m.labels(), m.errors().count());
        }
        family.header("demand_adapter_poll_seconds", "", "summary", PollMeters.POLLS_HELP);
        for (PollMeters.Meters m : all) {
            family.sample("demand_adapter_poll_seconds_count", m.labels(), Long.toString(m.polls().count()));
            family.sample("demand_adapter_poll_seconds_sum", m.labels(), m.polls().totalTime(TimeUnit.SECONDS));
        }
        family.header("demand_adapter_poll_seconds_max", "", "gauge", PollMeters.POLLS_HELP);
        for (PollMeters.Meters m : all) {
            family.sample("demand_adapter_poll_seconds_max", m.labels(), m.polls().max(TimeUnit.SECONDS));
        }
        family.gauge(all, "demand_adapter_value_age_seconds", PollMeters.AGE_HELP, PollMeters.Meters::age);
        writer.flush();
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

    /** Writes one family's header and samples in the chosen format. */
    private static final class Family {
        private final Writer writer;
        private final boolean openMetrics;

        Family(Writer writer, boolean openMetrics) {
            this.writer = writer;
            this.openMetrics = openMetrics;
        }

        void gauge(List<PollMeters.Meters> all, String name, String help, Function<PollMeters.Meters, Gauge> gauge)
                throws IOException {
            header(name, "", "gauge", help);
            for (PollMeters.Meters m : all) {
                Gauge g = gauge.apply(m);
                if (g != null) {
                    sample(name, m.labels(), g.value());
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
                writer.write("# TYPE " + name + " " + type + "\n# HELP " + name + " " + escaped + "\n");
            } else {
                writer.write("# HELP " + name + suffix + " " + escaped + "\n# TYPE " + name + suffix + " " + type + "\n");
            }
        }

        void sample(String name, String labels, double value) throws IOException {
            sample(name, labels, number(value));
        }

        void sample(String name, String labels, String value) throws IOException {
            writer.write(name);
            writer.write(labels);
            writer.write(' ');
            writer.write(value);
            writer.write('\n');
        }

        private static String number(double value) {
            if (value == Double.POSITIVE_INFINITY) {
                return "+Inf";
            }
            return value == Double.NEGATIVE_INFINITY ? "-Inf" : Double.toString(value);
        }
    }
}
