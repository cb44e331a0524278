package io.demandmetrics.scaler.requests;

import io.demandmetrics.scaler.requests.HttpMetricConfig.Kind;
import io.demandmetrics.scaler.requests.HttpMetricConfig.PodSelection;
import io.demandmetrics.scaler.requests.HttpMetricConfig.Target;
import io.demandmetrics.scaler.requests.scrape.ScrapeException;
import io.demandmetrics.scaler.requests.scrape.ScrapePool;
import io.demandmetrics.scaler.requests.series.TargetHistory;
import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Pods;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.WarmingUp;
import io.demandmetrics.scaler.support.SharedResources;
import io.vertx.core.Future;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One {@code rps} or {@code latency} metric: subscribes to its targets' scrapes, and on each
 * poll computes from their histories, without I/O.
 *
 * <p>rps: per pod, its rates over the short and the long window, turned into the value served
 * by {@link TwoWindows} (by default the service's total over the two windows, shared by the
 * pods' current rates). latency: per pod, the rate
 * of each bucket over the window (samples labelled {@code le}), which the provider's
 * {@code combine} turns into the quantile after the request's selector picked pods, so pods'
 * buckets are merged before a quantile is taken. A pod is served once its target has two
 * scrapes in the window and left out while its last scrape failed.
 */
final class HttpScaler implements Scaler {

    static final int ERRORS_SHOWN = 3;
    static final String SUMMARY_NOT_MERGED = "a summary's quantiles cannot be merged across pods: serve it per pod"
            + " (describes: pods), or read a histogram (parameter \"histogram\")";
    /** How often a first poll looks again for targets' second scrapes while it waits for them. */
    static final long WARM_UP_RECHECK_MILLIS = 100;
    /** Distinct {@code le} values whose label maps are shared; a histogram has a few dozen. */
    static final int MAX_SHARED_BOUNDS = 1024;

    private final HttpMetricConfig config;
    private final boolean perPod;
    private final SharedResources<io.vertx.core.Vertx, ScrapePool>.Lease lease;
    private final ScrapePool.Subscription subscription;
    private final io.vertx.core.Vertx vertx;
    private final io.vertx.core.WorkerExecutor blocking;
    private final java.util.Optional<Pods> pods;
    private final String namespace;
    /** Re-reads the selected pods every scrape interval, so new pods are scraped within one. */
    private final long podRefresh;
    private final Map<Double, Map<String, String>> leLabels = new java.util.concurrent.ConcurrentHashMap<>();
    /** Why no pod is scraped (none selected, none with a port), or null. */
    private volatile String podProblem;
    /** Until then, a poll with no target scraped twice waits for the scrapes instead of failing. */
    private final long warmUntilNanos;
    /** For rps over the service: what pods that left still hold of the windows (nothing for the rest). */
    private final DepartedPods departed;

    HttpScaler(HttpMetricConfig config, ScalerContext context) {
        this.config = config;
        this.departed = DepartedPods.of(config);
        this.vertx = context.vertx();
        this.blocking = context.blockingExecutor();
        long warmUp = config.scrape().interval().multipliedBy(2).plus(config.scrape().timeout()).toNanos();
        this.warmUntilNanos = System.nanoTime() + Math.min(warmUp, context.pollTimeout().toNanos() / 2);
        this.perPod = "pods".equals(context.describes());
        this.lease = ScrapePools.acquire(context);
        this.pods = context.pods();
        this.namespace = context.namespace();
        Map<String, URI> urls = new LinkedHashMap<>();
        for (Target target : config.targets()) {
            urls.put(target.pod(), target.url());
        }
        // A summary's _count tells a pod that served nothing (quantiles NaN) from one without the summary.
        Set<String> names = config.kind() == Kind.SUMMARY ? Set.of(config.sampleName(), config.sampleName() + "_count")
                : Set.of(config.sampleName());
        this.subscription = lease.resource().subscribe(urls, config.scrape(), names, config.historyCapacity());
        this.podRefresh = config.pods() == null || pods.isEmpty() ? -1
                : vertx.setPeriodic(1, config.scrape().interval().toMillis(), id -> refreshPods());
    }

    /**
     * The rate's window plus a scrape: until this scaler has watched that long, a rate covers
     * only part of its window and understates (as a young series does in PromQL). A summary's
     * quantiles come from the pod whole, at once.
     */
    @Override
    public Duration warmUp() {
        return config.kind() == Kind.SUMMARY ? Duration.ZERO
                : (config.kind() == Kind.RPS ? config.shortWindow() : config.longWindow())
                        .plus(config.scrape().interval());
    }

    /** The selected pods' URLs, into the subscription; a no-op for static targets. */
    private Future<Void> refreshPods() {
        PodSelection selection = config.pods();
        if (selection == null) {
            return Future.succeededFuture();
        }
        if (pods.isEmpty()) {
            return Future.failedFuture(new ScrapeException("parameter \"pods\" needs the adapter in a cluster (its pod"
                    + " informer); standalone, list \"targets\""));
        }
        Future<String> selector = selection.selector() != null ? Future.succeededFuture(selection.selector())
                : pods.get().selectorOf(namespace, selection.ownerResource(), selection.ownerName());
        return selector.compose(labels -> pods.get().running(namespace, labels)).map(running -> {
            Map<String, URI> urls = new LinkedHashMap<>();
            List<String> portless = new ArrayList<>();
            for (Pods.Pod pod : running) {
                URI url = url(selection, pod);
                if (url == null) {
                    portless.add(pod.name());
                } else {
                    urls.put(pod.name(), url);
                }
            }
            subscription.update(urls);
            podProblem = !urls.isEmpty() ? null : running.isEmpty()
                    ? "no running pod with an IP is selected by " + selection.describe() + " in namespace " + namespace
                    : "no port to scrape on " + shown(portless) + ": set pods.port, or the pods' prometheus.io/port"
                            + " annotation";
            return (Void) null;
        }).recover(error -> Future.failedFuture(new ScrapeException("cannot read the pods: " + error.getMessage())));
    }

    /**
     * scheme://ip:port/path from the metric, the preset, then the pod's prometheus.io
     * annotations; null without a port.
     */
    static URI url(PodSelection selection, Pods.Pod pod) {
        Map<String, String> annotations = pod.annotations();
        int port = selection.port();
        if (port == 0) {
            port = parsePort(annotations.get("prometheus.io/port"));
        }
        if (port <= 0) {
            return null;
        }
        String path = selection.path() != null ? selection.path()
                : annotations.getOrDefault("prometheus.io/path", "/metrics");
        String scheme = selection.scheme() != null ? selection.scheme()
                : "https".equals(annotations.get("prometheus.io/scheme")) ? "https" : "http";
        String host = pod.ip().contains(":") ? "[" + pod.ip() + "]" : pod.ip();
        try {
            return new URI(scheme + "://" + host + ":" + port + (path.startsWith("/") ? path : "/" + path));
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    private static int parsePort(String text) {
        try {
            int port = text == null ? 0 : Integer.parseInt(text.trim());
            return port >= 1 && port <= 65535 ? port : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The values from the targets' histories. Right after the metric starts, no target has two
     * scrapes yet: the poll waits for them (within half its timeout) rather than failing, so a
     * new metric's first poll already has a value.
     */
    @Override
    public Future<List<Sample>> fetch() {
        return refreshPods().compose(refreshed -> poll());
    }

    private Future<List<Sample>> poll() {
        if (config.kind() == Kind.SUMMARY && !perPod) {
            return Future.failedFuture(new ScrapeException(SUMMARY_NOT_MERGED));
        }
        // On a worker: over a thousand pods this is milliseconds of arithmetic, and requests for
        // metrics wait behind anything on the event loop.
        return blocking.executeBlocking(this::values, false).recover(error -> {
            long left = TimeUnit.NANOSECONDS.toMillis(warmUntilNanos - System.nanoTime());
            if (error instanceof NotYet && left > 0) {
                // Look again soon, and never past the warm-up: the poll then ends with this
                // clear answer rather than with the store's timeout.
                io.vertx.core.Promise<List<Sample>> later = io.vertx.core.Promise.promise();
                long delay = Math.max(1, Math.min(left, Math.min(WARM_UP_RECHECK_MILLIS,
                        config.scrape().interval().toMillis())));
                vertx.setTimer(delay, id -> poll().onComplete(later));
                return later.future();
            }
            return Future.failedFuture(error);
        });
    }

    /** No target has two scrapes in the window yet: expected after a start, logged as waiting. */
    private static final class NotYet extends ScrapeException implements WarmingUp {
        private static final long serialVersionUID = 1L;

        NotYet() {
            super("waiting for a second scrape of a target (a rate needs two)");
        }
    }

    /** The samples from every target's history; throws a {@link ScrapeException} when there are none. */
    private List<Sample> values() {
        List<Sample> samples = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        Map<String, Double> shortRates = new LinkedHashMap<>();
        Map<String, Double> longRates = new LinkedHashMap<>();
        Map<String, Instant> scraped = new HashMap<>();
        subscription.targets().forEach((pod, target) -> {
            synchronized (target) {
                String error = target.lastError();
                if (error != null) {
                    errors.add(pod + ": " + error);
                    return;
                }
                TargetHistory history = target.history();
                if (history.scrapes() < 2) {
                    return;
                }
                Instant at = Instant.ofEpochMilli(history.lastScrape());
                switch (config.kind()) {
                    case RPS -> {
                        shortRates.put(pod, history.rate(config.sampleName(), config.filter(),
                                config.shortWindow().toMillis()));
                        longRates.put(pod, history.rate(config.sampleName(), config.filter(),
                                config.longWindow().toMillis()));
                        scraped.put(pod, at);
                    }
                    case LATENCY -> buckets(pod, history, at, samples);
                    case SUMMARY -> summary(pod, history, at, samples);
                }
            }
        });
        // A pod whose series are not in its exposition (yet) has a rate in neither window: not served.
        TwoWindows.served(shortRates, longRates, config.windowsOver(), departed.heldNow(shortRates, longRates, scraped))
                .forEach((pod, rate) -> samples.add(sample(perPod, DescribedObject.named(pod), pod, Map.of(), rate,
                        scraped.get(pod), config.longWindow())));
        if (samples.isEmpty()) {
            String problem = podProblem;
            if (problem != null) {
                throw new ScrapeException(problem);
            }
            if (!errors.isEmpty()) {
                throw new ScrapeException("no target answered: " + shown(errors));
            }
            throw new NotYet();
        }
        return samples;
    }

    /**
     * The summary's quantile as the pod computed it, from its last scrape: the largest over the
     * pod's matching series (its slowest endpoint, when it has one series per endpoint), since
     * quantiles cannot be added. NaN (no request in the summary's window) is 0: no demand.
     */
    private void summary(String pod, TargetHistory history, Instant at, List<Sample> samples) {
        double worst = Double.NaN;
        for (double value : history.latest(config.sampleName(), config.filter(), "quantile", config.quantile())) {
            worst = Double.isNaN(worst) || value > worst ? value : worst;
        }
        if (!Double.isNaN(worst) || history.hasSeries(config.sampleName() + "_count")) {
            samples.add(sample(perPod, DescribedObject.named(pod), pod, Map.of(),
                    Double.isNaN(worst) ? 0 : worst * config.secondsPerUnit(), at, null));
        }
    }

    private void buckets(String pod, TargetHistory history, Instant at, List<Sample> samples) {
        Map<Double, Double> rates = history.bucketRates(config.sampleName(), config.filter(),
                config.longWindow().toMillis());
        DescribedObject object = DescribedObject.named(pod); // one per pod, shared by its buckets
        rates.forEach((bound, rate) -> samples.add(sample(perPod, object, pod, leLabels(bound), rate, at,
                config.longWindow())));
    }

    /**
     * For a pods metric, a sample of the pod; otherwise a series labelled with the pod. Made
     * once, with its time and window: a reading of a thousand pods' buckets is held until the
     * next poll, and what it holds beyond the samples themselves is promoted and collected late.
     */
    static Sample sample(boolean perPod, DescribedObject object, String pod, Map<String, String> labels, double value,
                         Instant at, java.time.Duration window) {
        if (perPod) {
            return new Sample(object, labels, value, at, window);
        }
        Map<String, String> withPod = new LinkedHashMap<>(labels);
        withPod.put("pod", pod);
        return new Sample(null, withPod, value, at, window);
    }

    /** {@code {le="0.25"}}, one instance per bound for every pod and poll (up to a bound on bounds). */
    private Map<String, String> leLabels(double bound) {
        Map<String, String> labels = leLabels.get(bound);
        if (labels == null) {
            labels = Map.of(LatencyScalerProvider.LE, LatencyScalerProvider.formatBound(bound));
            if (leLabels.size() < MAX_SHARED_BOUNDS) {
                leLabels.put(bound, labels);
            }
        }
        return labels;
    }

    private static String shown(List<String> errors) {
        String shown = String.join("; ", errors.subList(0, Math.min(ERRORS_SHOWN, errors.size())));
        return errors.size() > ERRORS_SHOWN ? shown + "; and " + (errors.size() - ERRORS_SHOWN) + " more" : shown;
    }

    @Override
    public Future<Void> close() {
        if (podRefresh >= 0) {
            vertx.cancelTimer(podRefresh);
        }
        subscription.close();
        lease.release();
        return Future.succeededFuture();
    }

}
