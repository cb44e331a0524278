package io.demandmetrics.scaler.http;

import io.demandmetrics.scaler.http.series.LabelMatcher;
import io.demandmetrics.scaler.spi.Durations;
import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.ParameterReader;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One {@code rps} or {@code latency} metric: what to read (preset, names, filter), from where
 * (targets), how to scrape them, and over which windows.
 *
 * @param sampleName the counter ({@code rps}) or the histogram's bucket series ({@code latency})
 * @param secondsPerUnit the histogram's unit in seconds (0.001 for milliseconds); 1 for rps
 * @param filter the preset's matchers and the metric's own
 * @param shortWindow rps: the fast window (a step up shows within it); latency: unused
 * @param longWindow rps: the calm window (a drop is followed smoothly); latency: the quantile's window
 * @param quantile latency: the quantile served (0.99 for P99); rps: unused
 */
public record HttpMetricConfig(Kind kind, Preset preset, String sampleName, double secondsPerUnit,
                               List<LabelMatcher> filter, List<Target> targets, PodSelection pods,
                               ScrapeSettings scrape, Duration shortWindow, Duration longWindow, double quantile) {

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

    /** How targets are scraped; metrics with equal settings share the scrapes of a target. */
    public record ScrapeSettings(Duration interval, Duration timeout, long maxBytes, String caFile, String certFile,
                                 String keyFile, boolean insecureSkipVerify, String bearerTokenFile) {
    }

    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    static final Duration DEFAULT_SHORT_WINDOW = Duration.ofSeconds(3);
    static final Duration DEFAULT_LONG_WINDOW = Duration.ofSeconds(30);
    static final long DEFAULT_MAX_BYTES = 4L * 1024 * 1024;
    static final int MAX_TARGETS = 10_000;

    private static final String[] COMMON = {"preset", "filter", "targets", "pods", "scrapeInterval", "scrapeTimeout",
        "maxScrapeBytes", "tls", "bearerTokenFile"};
    private static final String[] TLS = {"caFile", "certFile", "keyFile", "insecureSkipVerify"};
    private static final String[] PODS = {"selector", "service", "deployment", "statefulset", "daemonset", "port",
        "path", "scheme"};
    /** The pods block's ways of naming what selects the pods, and the resource each reads. */
    private static final Map<String, String> OWNERS = Map.of("service", "services", "deployment", "deployments.apps",
            "statefulset", "statefulsets.apps", "daemonset", "daemonsets.apps");

    /** Parses an {@code rps} metric's parameters. */
    static HttpMetricConfig parseRps(Map<String, Object> parameters) throws InvalidConfigException {
        ParameterReader p = new ParameterReader(parameters, concat(COMMON, "counter", "shortWindow", "longWindow"));
        Preset preset = preset(p);
        String counter = preset.counter() == null ? p.string("counter") : p.string("counter", preset.counter());
        ScrapeSettings scrape = scrape(p);
        Duration shortWindow = p.duration("shortWindow", DEFAULT_SHORT_WINDOW, Duration.ZERO);
        Duration longWindow = p.duration("longWindow", DEFAULT_LONG_WINDOW, Duration.ZERO);
        window(p, "shortWindow", shortWindow, scrape.interval());
        window(p, "longWindow", longWindow, scrape.interval());
        if (longWindow.compareTo(shortWindow) < 0) {
            p.problem("parameter \"longWindow\" (" + Durations.format(longWindow) + ") must be at least shortWindow ("
                    + Durations.format(shortWindow) + ")");
        }
        PodSelection pods = pods(p);
        HttpMetricConfig config = new HttpMetricConfig(Kind.RPS, preset, counter, 1, filter(p, preset),
                targets(p, pods != null), pods, scrape, shortWindow, longWindow, Double.NaN);
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
        ScrapeSettings scrape = scrape(p);
        Duration window = p.duration("window", DEFAULT_LONG_WINDOW, Duration.ZERO);
        window(p, "window", window, scrape.interval());
        PodSelection pods = pods(p);
        HttpMetricConfig config = new HttpMetricConfig(summary != null ? Kind.SUMMARY : Kind.LATENCY, preset,
                summary != null ? summary : histogram, secondsPerUnit, filter(p, preset), targets(p, pods != null), pods,
                scrape, window, window, quantile);
        p.throwIfInvalid();
        return config;
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

    /** The {@code pods} block, or null. */
    private static PodSelection pods(ParameterReader p) {
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
        return new PodSelection(selector, OWNERS.get(way), ownerName, port, path, scheme);
    }

    /** The static targets; none when {@code pods} selects them instead (one or the other). */
    private static List<Target> targets(ParameterReader p, boolean podsGiven) {
        if (podsGiven) {
            if (p.has("targets")) {
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

    /** A rate needs two scrapes inside the window. */
    private static void window(ParameterReader p, String name, Duration window, Duration interval) {
        if (window.compareTo(interval.multipliedBy(2)) < 0) {
            p.problem("parameter \"" + name + "\" (" + Durations.format(window) + ") must be at least two"
                    + " scrapeIntervals (" + Durations.format(interval.multipliedBy(2)) + "): a rate needs two scrapes");
        }
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
