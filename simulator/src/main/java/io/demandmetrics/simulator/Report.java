package io.demandmetrics.simulator;

import io.demandmetrics.hpa.Decision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The simulation's report: a self-contained HTML page (summary table, charts as embedded PNGs
 * drawn by JFreeChart, each HPA's scale decisions), {@code main.png}, demand against the ready
 * capacity of every HPA compared, and per HPA the timeline second by second as CSV
 * ({@code timeline-<hpa>.csv}: demand, served, backlog, P99, replicas, ready pods, CPU and each
 * metric's value as the HPA last read it) and every sync's decision ({@code decisions-<hpa>.csv}).
 */
public final class Report {

    /** Points drawn per series at most: a day at one a second would be 86,400. */
    static final int MAX_POINTS = 2000;
    /** Decisions listed per HPA in the page: the changes, then the first of the rest. */
    static final int MAX_DECISIONS = 200;
    private Report() {
    }

    /** Writes {@code report.html} and {@code main.png} into {@code dir}; returns the page's path. */
    public static Path write(Path dir, String traceName, List<Outcome> outcomes) throws IOException {
        Files.createDirectories(dir);
        byte[] main = Charts.png(mainChart(outcomes), 1100, 420);
        Files.write(dir.resolve("main.png"), main);
        StringBuilder html = new StringBuilder();
        Workload workload = outcomes.get(0).workload();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>HPA simulation: ")
                .append(escape(traceName)).append("</title>\n<style>\nbody{font-family:sans-serif;margin:2em;"
                        + "color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;"
                        + "padding:4px 10px;text-align:right}th{background:#eee}td.name{text-align:left}"
                        + "img{max-width:100%;display:block;margin:0.5em 0}\n</style></head><body>\n")
                .append("<h1>HPA simulation: ").append(escape(traceName)).append("</h1>\n")
                .append("<p id=\"workload\">Workload: pods ready ").append(workload.podStartup().toSeconds())
                .append(" s after creation; ").append(number(workload.podCapacity()))
                .append(" req/s per pod at the P99 SLO of ").append(number(workload.sloP99() * 1000))
                .append(" ms (").append(number(workload.idleP99() * 1000)).append(" ms idle, saturated at ")
                .append(number(workload.maxRate())).append(" req/s); CPU request ")
                .append(workload.cpuRequestMilli()).append("m.</p>\n");
        html.append("<table id=\"summary\">\n<tr><th>HPA</th><th>SLO-violation minutes</th><th>pod-minutes</th>"
                + "<th>max replicas</th><th>scale events</th></tr>\n");
        for (Outcome outcome : outcomes) {
            Outcome.Summary summary = outcome.summary();
            html.append("<tr data-hpa=\"").append(escape(outcome.hpa())).append("\"><td class=\"name\">")
                    .append(escape(outcome.hpa())).append("</td><td class=\"slo\">")
                    .append(minutes(summary.sloViolationMinutes())).append("</td><td class=\"pods\">")
                    .append(minutes(summary.podMinutes())).append("</td><td class=\"max\">")
                    .append(summary.maxReplicas()).append("</td><td class=\"events\">").append(summary.scaleEvents())
                    .append("</td></tr>\n");
        }
        html.append("</table>\n<h2>Demand and ready capacity</h2>\n").append(img(main, "demand and ready capacity"));
        for (Outcome outcome : outcomes) {
            html.append("<h2>").append(escape(outcome.hpa())).append("</h2>\n")
                    .append(img(Charts.png(replicaChart(outcome), 1100, 300), "replicas of " + outcome.hpa()))
                    .append(img(Charts.png(latencyChart(outcome), 1100, 300), "P99 latency of " + outcome.hpa()))
                    .append(decisions(outcome));
        }
        html.append("</body></html>\n");
        Path page = dir.resolve("report.html");
        Files.writeString(page, html, StandardCharsets.UTF_8);
        for (Outcome outcome : outcomes) {
            String file = outcome.hpa().replaceAll("[^A-Za-z0-9._-]", "_");
            Files.writeString(dir.resolve("timeline-" + file + ".csv"), timeline(outcome), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("decisions-" + file + ".csv"), decisionsCsv(outcome),
                    StandardCharsets.UTF_8);
        }
        return page;
    }

    /** Second by second: the workload and each metric's value as the HPA last read it. */
    static String timeline(Outcome outcome) {
        List<String> metrics = new java.util.ArrayList<>(new java.util.TreeSet<>(outcome.seconds().isEmpty()
                ? java.util.Set.of() : outcome.seconds().get(outcome.seconds().size() - 1).metrics().keySet()));
        StringBuilder csv = new StringBuilder("seconds,demand,served,backlog,p99_seconds,replicas,ready,cpu_percent");
        metrics.forEach(metric -> csv.append(',').append(metric.replace(",", "_").replace(' ', '_')));
        csv.append('\n');
        for (Outcome.Second second : outcome.seconds()) {
            csv.append(second.t()).append(',').append(decimal(second.demand())).append(',')
                    .append(decimal(second.served())).append(',').append(decimal(second.backlog())).append(',')
                    .append(Double.isInfinite(second.p99()) ? "inf" : decimal(second.p99())).append(',')
                    .append(second.replicas()).append(',').append(second.ready()).append(',')
                    .append(decimal(second.cpuUtilization()));
            for (String metric : metrics) {
                Double value = second.metrics().get(metric);
                csv.append(',').append(value == null || value.isNaN() ? "" : decimal(value));
            }
            csv.append('\n');
        }
        return csv.toString();
    }

    /** Every sync: the replicas before and after, the largest proposal, the controller's reason. */
    static String decisionsCsv(Outcome outcome) {
        StringBuilder csv = new StringBuilder("seconds,replicas,desired,proposed,stabilized,reason\n");
        long start = outcome.decisions().isEmpty() ? 0 : outcome.decisions().get(0).at().getEpochSecond();
        for (Decision decision : outcome.decisions()) {
            csv.append(decision.at().getEpochSecond() - start).append(',').append(decision.current()).append(',')
                    .append(decision.desired()).append(',').append(decision.proposed()).append(',')
                    .append(decision.stabilized()).append(',').append(decision.reason()).append('\n');
        }
        return csv.toString();
    }

    private static String decimal(double value) {
        return String.format(Locale.ROOT, "%.4f", value).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    /** The summary as text, for the command line: the same figures as the page's table. */
    public static String summaryText(List<Outcome> outcomes) {
        int width = Math.max(4, outcomes.stream().mapToInt(o -> o.hpa().length()).max().orElse(4));
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s  %21s  %11s  %12s  %12s%n",
                "HPA", "SLO-violation minutes", "pod-minutes", "max replicas", "scale events"));
        for (Outcome outcome : outcomes) {
            Outcome.Summary summary = outcome.summary();
            text.append(String.format(Locale.ROOT, "%-" + width + "s  %21s  %11s  %12d  %12d%n", outcome.hpa(),
                    minutes(summary.sloViolationMinutes()), minutes(summary.podMinutes()), summary.maxReplicas(),
                    summary.scaleEvents()));
        }
        return text.toString();
    }

    static String minutes(double minutes) {
        return String.format(Locale.ROOT, "%.1f", minutes);
    }

    static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static JFreeChart mainChart(List<Outcome> outcomes) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries demand = new XYSeries("demand (req/s)");
        List<Outcome.Second> first = outcomes.get(0).seconds();
        int step = step(first.size());
        for (int i = 0; i < first.size(); i += step) {
            demand.add(first.get(i).t() / 60.0, first.get(i).demand());
        }
        data.addSeries(demand);
        for (Outcome outcome : outcomes) {
            XYSeries capacity = new XYSeries(outcome.hpa() + ": ready pods x capacity");
            for (int i = 0; i < outcome.seconds().size(); i += step) {
                Outcome.Second second = outcome.seconds().get(i);
                capacity.add(second.t() / 60.0, second.ready() * outcome.workload().podCapacity());
            }
            data.addSeries(capacity);
        }
        return Charts.styled(ChartFactory.createXYLineChart("Demand and ready capacity at the SLO", "minutes",
                "requests per second", data, PlotOrientation.VERTICAL, true, false, false));
    }

    private static JFreeChart replicaChart(Outcome outcome) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries replicas = new XYSeries("replicas");
        XYSeries ready = new XYSeries("ready pods");
        int step = step(outcome.seconds().size());
        for (int i = 0; i < outcome.seconds().size(); i += step) {
            Outcome.Second second = outcome.seconds().get(i);
            replicas.add(second.t() / 60.0, second.replicas());
            ready.add(second.t() / 60.0, second.ready());
        }
        data.addSeries(replicas);
        data.addSeries(ready);
        return Charts.styled(ChartFactory.createXYLineChart(outcome.hpa() + ": replicas", "minutes", "pods", data,
                PlotOrientation.VERTICAL, true, false, false));
    }

    private static JFreeChart latencyChart(Outcome outcome) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries p99 = new XYSeries("P99 latency (s, shown up to 4 x the SLO)");
        XYSeries slo = new XYSeries("SLO");
        double cap = outcome.workload().sloP99() * 4;
        int step = step(outcome.seconds().size());
        for (int i = 0; i < outcome.seconds().size(); i += step) {
            Outcome.Second second = outcome.seconds().get(i);
            p99.add(second.t() / 60.0, Math.min(second.p99(), cap));
            slo.add(second.t() / 60.0, outcome.workload().sloP99());
        }
        data.addSeries(p99);
        data.addSeries(slo);
        return Charts.styled(ChartFactory.createXYLineChart(outcome.hpa() + ": P99 latency", "minutes", "seconds", data,
                PlotOrientation.VERTICAL, true, false, false));
    }

    private static int step(int points) {
        return Math.max(1, (points + MAX_POINTS - 1) / MAX_POINTS);
    }

    private static String img(byte[] png, String alt) {
        return "<img alt=\"" + escape(alt) + "\" src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(png) + "\">\n";
    }

    /** The syncs that changed the replica count, with the controller's reason. */
    private static String decisions(Outcome outcome) {
        StringBuilder html = new StringBuilder("<table class=\"decisions\">\n<tr><th>minute</th><th>replicas</th>"
                + "<th>to</th><th>proposed</th><th>reason</th><th>metrics</th></tr>\n");
        long start = outcome.decisions().isEmpty() ? 0 : outcome.decisions().get(0).at().getEpochSecond();
        int shown = 0;
        for (Decision decision : outcome.decisions()) {
            if (!decision.rescale()) {
                continue;
            }
            if (shown++ == MAX_DECISIONS) {
                html.append("<tr><td class=\"name\" colspan=\"6\">... and more</td></tr>\n");
                break;
            }
            StringBuilder metrics = new StringBuilder();
            for (Decision.MetricProposal proposal : decision.proposals()) {
                metrics.append(escape(proposal.metric())).append(": ").append(proposal.replicas() == null
                        ? escape(String.valueOf(proposal.error())) : proposal.replicas()).append(' ');
            }
            html.append("<tr><td>").append(minutes((decision.at().getEpochSecond() - start) / 60.0))
                    .append("</td><td>").append(decision.current()).append("</td><td>").append(decision.desired())
                    .append("</td><td>").append(decision.proposed()).append("</td><td class=\"name\">")
                    .append(escape(decision.reason())).append("</td><td class=\"name\">").append(metrics.toString()
                            .strip()).append("</td></tr>\n");
        }
        return html.append("</table>\n").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
