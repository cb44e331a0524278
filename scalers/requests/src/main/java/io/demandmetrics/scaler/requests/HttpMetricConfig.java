package io.demandmetrics.scaler.requests;

import io.demandmetrics.prometheus.client.PrometheusEndpoint;
import io.demandmetrics.scaler.requests.series.LabelMatcher;
import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.support.Durations;
import io.demandmetrics.scaler.support.ParameterReader;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One {@code rps} or {@code latency} metric: what to read (preset, names, filter), from where
 * (targets or pods scraped directly, or a Prometheus that scrapes them), and over which windows.
 *
 * @param sampleName the counter ({@code rps}) or the histogram's bucket series ({@code latency})
 * @param secondsPerUnit the histogram's unit in seconds (0.001 for milliseconds); 1 for rps
 * @param filter the preset's matchers and the metric's own
 * @param shortWindow rps: the fast window (a step up shows within it); latency: unused
 * @param longWindow rps: the calm window (a drop is followed smoothly); latency: the quantile's window
 * @param quantile latency: the quantile served (0.99 for P99); rps: unused
 * @param scrape how the adapter scrapes the pods; null with {@code source: prometheus}
 * @param prometheus where the presets' PromQL is asked ({@code source: prometheus}); null when
 *     the adapter scrapes the pods itself
 * @param windowsOver rps: what the two windows apply to ({@link TwoWindows}); latency: unused
 */
public record HttpMetricConfig(Kind kind, Preset preset, String sampleName, double secondsPerUnit,
                               List<LabelMatcher> filter, List<Target> targets, PodSelection pods,
                               ScrapeSettings scrape, Duration shortWindow, Duration longWindow, double quantile,
                               PromqlSource prometheus, TwoWindows.Over windowsOver) {

    /**
     * What is computed: a rate ({@code rps}), a quantile from histogram buckets
     * ({@code latency}), or a quantile a summary already computed ({@code latency} with
     * {@code summary}: per pod only, since quantiles cannot be merged).
     */
    public enum Kind { RPS, LATENCY, SUMMARY }

    /** A scrape target standing for a named pod (standalone: a static list). */
    public record Target(String pod, URI url) {
    }

    /**
     * In a cluster: the metric's namespace's running pods that match {@code selector}, each
     * scraped at {@code scheme://ip:port/path}. Port: this, else the preset's, else the pod's
     * {@code prometheus.io/port} annotation; path likewise ({@code /metrics} last); scheme:
     * this, else {@code prometheus.io/scheme}, else http. 0 and null mean "not set".
     */
    public record PodSelection(String selector, String ownerResource, String ownerName, int port, String path,
                               String scheme) {

        /** What selects the pods, for messages: {@code app=web}, or {@code deployments.apps web}. */
        public String describe() {
            return selector != null ? "pods.selector \"" + selector + "\"" : ownerResource + " " + ownerName;
        }
    }

    /**
     * {@code source: prometheus}: the series as a Prometheus already stores them, asked with
     * the PromQL the preset implies.
     *
     * @param endpoint the server and how to reach it (the {@code prometheus} block: the
     *     {@code prometheus} scaler's connection parameters)
     * @param podLabel the label that names a series' pod ({@code pod} as Prometheus' Kubernetes
     *     service discovery is usually relabelled)
     * @param namespaceLabel the label that names its namespace, matched to the metric's
     *     namespace unless the filter matches this label itself ({@code namespace=~".+"} for
     *     any, as for ingress-nginx's series, whose namespace is the controller's)
     */
    public record PromqlSource(PrometheusEndpoint endpoint, String podLabel, String namespaceLabel) {
    }

    /** How targets are scraped; metrics with equal settings share the scrapes of a target. */
    public record ScrapeSettings(Duration interval, Duration timeout, long maxBytes, String caFile, String certFile,
                                 String keyFile, boolean insecureSkipVerify, String bearerTokenFile) {
    }

    /**
     * The scraping this metric shares with others, for {@link
     * io.demandmetrics.scaler.spi.ScalerProvider#sharedPolling}: the pods of its namespace (any
     * two metrics that scrape pods there may scrape the same pod, and a pod's scrapes and their
     * history are shared by the metrics on one replica), or its static targets' addresses;
     * null for {@code source: prometheus}, which scrapes nothing.
     */
    String sharedScraping(String namespace) {
        if (prometheus != null) {
            return null;
        }
        if (pods != null) {
            return "scraped pods in namespace " + namespace;
        }
        return "scraped targets " + targets.stream().map(target -> target.url().getRawAuthority()).sorted().distinct()
                .collect(java.util.stream.Collectors.joining(","));
    }

    /**
     * The source this metric reads, for the log ({@link
     * io.demandmetrics.scaler.spi.ScalerProvider#source}): the Prometheus it asks, or the pods or
     * targets it scrapes.
     */
    String source(String namespace) {
        return prometheus != null ? "Prometheus " + prometheus.endpoint().server() : sharedScraping(namespace);
    }

    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    static final Duration DEFAULT_SHORT_WINDOW = Duration.ofSeconds(3);
    static final Duration DEFAULT_LONG_WINDOW = Duration.ofSeconds(30);
    /**
     * Prometheus scrapes every 15-60 s: a rate needs two of its scrapes, so a minute is the
     * shortest window that works at the usual 30 s, and two the calm window.
     */
    static final Duration PROMQL_SHORT_WINDOW = Duration.ofMinutes(1);
    static final Duration PROMQL_LONG_WINDOW = Duration.ofMinutes(2);
    /** The shortest window PromQL is asked for: below it no Prometheus has two scrapes. */
    static final Duration PROMQL_MIN_WINDOW = Duration.ofSeconds(1);
    static final long DEFAULT_MAX_BYTES = 4L * 1024 * 1024;
    static final int MAX_TARGETS = 10_000;

    private static final String[] COMMON = {"preset", "filter", "targets", "pods", "scrapeInterval", "scrapeTimeout",
        "maxScrapeBytes", "tls", "bearerTokenFile", "source", "prometheus", "podLabel", "namespaceLabel"};
    /** What only direct scraping uses: with {@code source: prometheus}, Prometheus scrapes. */
    private static final List<String> SCRAPE_ONLY = List.of("targets", "scrapeInterval", "scrapeTimeout",
            "maxScrapeBytes", "tls", "bearerTokenFile");
    private static final java.util.regex.Pattern LABEL_NAME = java.util.regex.Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final String[] TLS = {"caFile", "certFile", "keyFile", "insecureSkipVerify"};
    private static final String[] PODS = {"selector", "service", "deployment", "statefulset", "daemonset", "port",
        "path", "scheme"};
    /** The pods block's ways of naming what selects the pods, and the resource each reads. */
    private static final Map<String, String> OWNERS = Map.of("service", "services", "deployment", "deployments.apps",
            "statefulset", "statefulsets.apps", "daemonset", "daemonsets.apps");

    /** Parses an {@code rps} metric's parameters. */
    static HttpMetricConfig parseRps(Map<String, Object> parameters) throws InvalidConfigException {
        ParameterReader p = new ParameterReader(parameters, concat(COMMON, "counter", "shortWindow", "longWindow",
                "windowsOver"));
        Preset preset = preset(p);
        String counter = preset.counter() == null ? p.string("counter") : p.string("counter", preset.counter());
        boolean promql = "prometheus".equals(p.oneOf("source", "scrape", List.of("scrape", "prometheus")));
        PromqlSource prometheus = source(p, promql);
        ScrapeSettings scrape = promql ? null : scrape(p);
        Duration shortWindow = window(p, "shortWindow", promql ? PROMQL_SHORT_WINDOW : DEFAULT_SHORT_WINDOW, scrape);
        Duration longWindow = window(p, "longWindow", promql ? PROMQL_LONG_WINDOW : DEFAULT_LONG_WINDOW, scrape);
        if (longWindow.compareTo(shortWindow) < 0) {
            p.problem("parameter \"longWindow\" (" + Durations.format(longWindow) + ") must be at least shortWindow ("
                    + Durations.format(shortWindow) + ")");
        }
        TwoWindows.Over over = TwoWindows.Over.valueOf(p.oneOf("windowsOver", "service", List.of("service", "pod"))
                .toUpperCase(java.util.Locale.ROOT));
        PodSelection pods = pods(p, promql);
        HttpMetricConfig config = new HttpMetricConfig(Kind.RPS, preset, counter, 1, filter(p, preset),
                targets(p, pods != null || promql), pods, scrape, shortWindow, longWindow, Double.NaN, prometheus,
                over);
        p.throwIfInvalid();
        return config;
    }

    /** Parses a {@code latency} metric's parameters. */
    static HttpMetricConfig parseLatency(Map<String, Object> parameters) throws InvalidConfigException {
        ParameterReader p = new ParameterReader(parameters, concat(COMMON, "histogram", "summary", "unit", "quantile",
                "window"));
        Preset preset = preset(p);
        String summary = p.string("summary", null);
        String histogram = null;
        if (summary != null) {
            if (p.has("histogram")) {
                p.problem("parameters \"histogram\" and \"summary\" exclude each other: name the one the pods expose");
            }
        } else {
            histogram = preset.histogram() == null ? p.string("histogram") : p.string("histogram", preset.histogram());
            if (histogram != null && !histogram.endsWith("_bucket")) {
                histogram = histogram + "_bucket"; // the histogram's name or its bucket series' name, either works
            }
        }
        String defaultUnit = preset.secondsPerUnit() == 1 ? "seconds" : "milliseconds";
        double secondsPerUnit = p.oneOf("unit", defaultUnit, List.of("seconds", "milliseconds")).equals("seconds")
                ? 1 : 0.001;
        double quantile = p.number("quantile", 0.99, 0);
        if (quantile <= 0 || quantile > 1) {
            p.invalid("quantile", quantile, "must be above 0 and at most 1 (0.99 for P99)");
        }
        boolean promql = "prometheus".equals(p.oneOf("source", "scrape", List.of("scrape", "prometheus")));
        PromqlSource prometheus = source(p, promql);
        ScrapeSettings scrape = promql ? null : scrape(p);
        Duration window = window(p, "window", promql ? PROMQL_LONG_WINDOW : DEFAULT_LONG_WINDOW, scrape);
        PodSelection pods = pods(p, promql);
        HttpMetricConfig config = new HttpMetricConfig(summary != null ? Kind.SUMMARY : Kind.LATENCY, preset,
                summary != null ? summary : histogram, secondsPerUnit, filter(p, preset),
                targets(p, pods != null || promql), pods, scrape, window, window, quantile, prometheus,
                TwoWindows.Over.SERVICE);
        p.throwIfInvalid();
        return config;
    }

    /**
     * {@code source: prometheus} and its {@code prometheus} block (the {@code prometheus}
     * scaler's connection parameters), or null for {@code source: scrape}, the default, or
     * when the block has problems.
     */
    private static PromqlSource source(ParameterReader p, boolean promql) {
        if (!promql) {
            for (String promqlOnly : List.of("prometheus", "podLabel", "namespaceLabel")) {
                if (p.has(promqlOnly)) {
                    p.problem("parameter \"" + promqlOnly + "\" needs source: prometheus (without it the adapter"
                            + " scrapes the pods itself)");
                }
            }
            return null;
        }
        for (String scrapeOnly : SCRAPE_ONLY) {
            if (p.has(scrapeOnly)) {
                p.problem("parameter \"" + scrapeOnly + "\" is for source: scrape; with source: prometheus,"
                        + " Prometheus scrapes the pods (select them with \"pods\", or by \"filter\")");
            }
        }
        String podLabel = label(p, "podLabel", "pod");
        String namespaceLabel = label(p, "namespaceLabel", "namespace");
        Map<String, Object> block = p.block("prometheus");
        if (block == null) {
            if (!p.has("prometheus")) {
                p.problem("source: prometheus needs the \"prometheus\" block: {serverAddress:"
                        + " http://prometheus.monitoring:9090}, with the prometheus scaler's connection parameters");
            }
            return null;
        }
        List<String> refused = new ArrayList<>();
        Map<String, Object> accepted = PrometheusEndpoint.withoutRefused(block, "prometheus.", refused);
        ParameterReader endpoint = p.nested("prometheus", accepted, PrometheusEndpoint.KEYS.toArray(String[]::new));
        refused.forEach(endpoint::problem);
        PrometheusEndpoint read = PrometheusEndpoint.read(endpoint, accepted);
        return read == null ? null : new PromqlSource(read, podLabel, namespaceLabel);
    }

    private static String label(ParameterReader p, String name, String defaultValue) {
        String label = p.string(name, defaultValue);
        if (label != null && !LABEL_NAME.matcher(label).matches()) {
            p.invalid(name, label, "is not a Prometheus label name");
        }
        return label;
    }

    private static Preset preset(ParameterReader p) {
        return Preset.named(p.oneOf("preset", "custom", Preset.names())).orElseThrow();
    }

    /**
     * The preset's matchers and the metric's own; a label the metric matches on replaces the
     * preset's matcher for it (Istio's {@code reporter="source"} for calls out of the mesh).
     */
    private static List<LabelMatcher> filter(ParameterReader p, Preset preset) {
        List<LabelMatcher> own = List.of();
        String text = p.string("filter", null);
        if (text != null) {
            try {
                own = LabelMatcher.parseAll(text);
            } catch (IllegalArgumentException e) {
                p.invalid("filter", text, "is not a list of label matchers (code!~\"5..\", reporter=\"destination\"): "
                        + e.getMessage());
            }
        }
        java.util.Set<String> ownLabels = new java.util.HashSet<>();
        own.forEach(matcher -> ownLabels.add(matcher.name()));
        List<LabelMatcher> filter = new ArrayList<>();
        preset.filter().stream().filter(matcher -> !ownLabels.contains(matcher.name())).forEach(filter::add);
        filter.addAll(own);
        return List.copyOf(filter);
    }

    /** The {@code pods} block, or null. With PromQL it only selects: Prometheus scrapes. */
    private static PodSelection pods(ParameterReader p, boolean promql) {
        Map<String, Object> block = p.block("pods");
        if (block == null) {
            return null;
        }
        ParameterReader pods = p.nested("pods", block, PODS);
        List<String> given = new ArrayList<>();
        for (String way : List.of("selector", "service", "deployment", "statefulset", "daemonset")) {
            if (pods.has(way)) {
                given.add(way);
            }
        }
        if (given.size() != 1) {
            pods.problem("parameter \"pods\" needs exactly one of selector, service, deployment, statefulset,"
                    + " daemonset" + (given.isEmpty() ? "" : "; given: " + given));
        }
        String way = given.isEmpty() ? "selector" : given.get(0);
        String selector = way.equals("selector") ? pods.string("selector", null) : null;
        String ownerName = way.equals("selector") ? null : pods.string(way);
        int port = (int) pods.integer("port", 0, 1);
        if (port > 65535) {
            pods.invalid("port", port, "must be from 1 to 65535");
        }
        String path = pods.string("path", null);
        if (path != null && !path.startsWith("/")) {
            pods.invalid("path", path, "must start with '/'");
        }
        String scheme = pods.has("scheme") ? pods.oneOf("scheme", "http", List.of("http", "https")) : null;
        if (promql) {
            for (String scrapeOnly : List.of("port", "path", "scheme")) {
                if (pods.has(scrapeOnly)) {
                    pods.problem("parameter \"pods." + scrapeOnly + "\" is for source: scrape; with source:"
                            + " prometheus, Prometheus scrapes the pods");
                }
            }
        }
        return new PodSelection(selector, OWNERS.get(way), ownerName, port, path, scheme);
    }

    /**
     * The static targets; none when {@code pods} selects them instead (one or the other), or
     * Prometheus scrapes them ({@code source} reports targets given beside it).
     */
    private static List<Target> targets(ParameterReader p, boolean elsewhere) {
        if (elsewhere) {
            if (p.has("targets") && p.has("pods")) {
                p.problem("parameters \"targets\" and \"pods\" exclude each other: list targets (standalone)"
                        + " or select pods (in a cluster)");
            }
            return List.of();
        }
        List<Map<String, Object>> blocks = p.blocks("targets");
        if (!p.has("targets")) {
            p.problem("missing required parameter \"targets\" (a list of {pod, url}: the pods to scrape)"
                    + " or \"pods\" (a selector of the namespace's pods, in a cluster)");
        } else if (blocks.isEmpty() && p.problems().stream().noneMatch(m -> m.contains("\"targets\""))) {
            p.problem("parameter \"targets\" must name at least one target");
        }
        if (blocks.size() > MAX_TARGETS) {
            p.problem("parameter \"targets\" has " + blocks.size() + " targets; at most " + MAX_TARGETS);
            return List.of();
        }
        List<Target> targets = new ArrayList<>();
        java.util.Set<String> pods = new java.util.HashSet<>();
        for (int i = 0; i < blocks.size(); i++) {
            ParameterReader t = p.nested("targets[" + i + "]", blocks.get(i), "pod", "url");
            String pod = t.string("pod");
            String url = t.string("url");
            if (pod != null && !pods.add(pod)) {
                t.invalid("pod", pod, "names a pod listed before; each pod once");
            }
            URI uri = null;
            if (url != null) {
                try {
                    uri = URI.create(url);
                    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                        t.invalid("url", url, "must be an http:// or https:// URL with a host");
                    } else if (uri.getUserInfo() != null) {
                        t.invalid("url", url.replace(uri.getRawUserInfo(), "***"),
                                "must not hold credentials (use bearerTokenFile)");
                    }
                } catch (IllegalArgumentException e) {
                    t.invalid("url", url, "is not a URL");
                }
            }
            if (pod != null && uri != null) {
                targets.add(new Target(pod, uri));
            }
        }
        return List.copyOf(targets);
    }

    private static ScrapeSettings scrape(ParameterReader p) {
        Duration interval = p.duration("scrapeInterval", DEFAULT_INTERVAL, MIN_INTERVAL);
        Duration timeout = p.duration("scrapeTimeout", interval.multipliedBy(4).dividedBy(5), Duration.ofMillis(10));
        if (timeout.compareTo(interval) >= 0) {
            p.problem("parameter \"scrapeTimeout\" (" + Durations.format(timeout) + ") must be shorter than"
                    + " scrapeInterval (" + Durations.format(interval) + ")");
        }
        long maxBytes = p.integer("maxScrapeBytes", DEFAULT_MAX_BYTES, 1024);
        Map<String, Object> tlsBlock = p.block("tls");
        String caFile = null;
        String certFile = null;
        String keyFile = null;
        boolean insecure = false;
        if (tlsBlock != null) {
            ParameterReader tls = p.nested("tls", tlsBlock, TLS);
            caFile = tls.readableFile("caFile");
            certFile = tls.readableFile("certFile");
            keyFile = tls.readableFile("keyFile");
            insecure = tls.bool("insecureSkipVerify", false);
            if ((certFile == null) != (keyFile == null)) {
                tls.problem("parameters \"tls.certFile\" and \"tls.keyFile\" go together");
            }
        }
        String tokenFile = p.readableFile("bearerTokenFile");
        return new ScrapeSettings(interval, timeout, maxBytes, caFile, certFile, keyFile, insecure, tokenFile);
    }

    /**
     * A window parameter. Scraping directly, a rate needs two of the adapter's scrapes inside
     * the window; with PromQL ({@code scrape} null) two of Prometheus', which only Prometheus
     * knows: too short a window gives no series, and the poll's error says so.
     */
    private static Duration window(ParameterReader p, String name, Duration defaultWindow, ScrapeSettings scrape) {
        Duration window = p.duration(name, defaultWindow, scrape == null ? PROMQL_MIN_WINDOW : Duration.ZERO);
        Duration interval = scrape == null ? null : scrape.interval();
        if (interval != null && window.compareTo(interval.multipliedBy(2)) < 0) {
            p.problem("parameter \"" + name + "\" (" + Durations.format(window) + ") must be at least two"
                    + " scrapeIntervals (" + Durations.format(interval.multipliedBy(2))
                    + "): a rate needs two scrapes");
        }
        return window;
    }

    private static String[] concat(String[] common, String... own) {
        String[] all = java.util.Arrays.copyOf(common, common.length + own.length);
        System.arraycopy(own, 0, all, common.length, own.length);
        return all;
    }

    /** The scrapes a target's history must hold: the longest window over the interval, plus two. */
    int historyCapacity() {
        return (int) (longWindow.toMillis() / scrape.interval().toMillis()) + 2;
    }
}
