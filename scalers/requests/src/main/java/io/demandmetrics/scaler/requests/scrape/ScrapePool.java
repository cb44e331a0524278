package io.demandmetrics.scaler.requests.scrape;

import io.demandmetrics.scaler.requests.HttpMetricConfig.ScrapeSettings;
import io.demandmetrics.scaler.requests.exposition.ExpositionParser;
import io.demandmetrics.scaler.requests.exposition.LabelsCache;
import io.demandmetrics.scaler.requests.exposition.ScrapedSample;
import io.demandmetrics.scaler.requests.series.TargetHistory;
import io.demandmetrics.scaler.support.ClientTls;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Scrapes targets for every {@code rps} and {@code latency} metric of one adapter: one scrape
 * per target per interval however many metrics read it (metrics with the same target URL and
 * scrape settings share it, and its parser keeps the union of the names they want), at most
 * {@link #MAX_IN_FLIGHT} scrapes at once (the rest wait their turn), never two of one target
 * at once. Everything runs on the pool's event loop; reads of a target's history from other
 * threads go through its lock.
 */
public final class ScrapePool {

    /**
     * Scrapes at once. 32 keep up with 500 targets a second on loopback; more only hold more
     * bodies in memory at each young collection, and what survives one is promoted early (at
     * 128, bench/scrape-cost spent 16 CPU s a minute where 32 spend 10).
     */
    static final int MAX_IN_FLIGHT = 32;
    /** Label sets whose parse is kept (by their text): a few MiB at most. */
    static final int LABEL_SETS_CACHED = 16_384;
    /** How long a bearer token read from its file is used before it is read again (rotation). */
    static final long TOKEN_REREAD_MILLIS = 30_000;

    private final Vertx vertx;
    private final Map<TargetKey, SharedTarget> targets = new HashMap<>();
    private final Map<ScrapeSettings, Future<HttpClient>> clients = new HashMap<>();
    private final ArrayDeque<SharedTarget> waiting = new ArrayDeque<>();
    private final io.demandmetrics.scaler.requests.series.Interner interner = new io.demandmetrics.scaler.requests.series.Interner();
    /** Label sets by their text, shared by every target's parser: most are the same in every scrape. */
    private final LabelsCache labelsCache = new LabelsCache(LABEL_SETS_CACHED);
    private int inFlight;
    private final MeterRegistry meters;
    private final Counter scrapesOk;
    private final Counter scrapesFailed;
    private final Counter ticksSkipped;
    private final Timer scrapeTime;
    private final List<io.micrometer.core.instrument.Meter> registered = new ArrayList<>();

    private record TargetKey(URI url, ScrapeSettings settings) {
    }

    /** @param meters where the pool's meters go; they are removed again by {@link #close()} */
    public ScrapePool(Vertx vertx, MeterRegistry meters) {
        this.vertx = vertx;
        this.meters = meters;
        this.scrapesOk = keep(Counter.builder("demand_adapter_scrapes").tag("result", "ok")
                .description("Scrapes of rps and latency targets").register(meters));
        this.scrapesFailed = keep(Counter.builder("demand_adapter_scrapes").tag("result", "error")
                .description("Scrapes of rps and latency targets").register(meters));
        this.ticksSkipped = keep(Counter.builder("demand_adapter_scrape_ticks_skipped")
                .description("Scrape ticks skipped because the target's previous scrape was still running")
                .register(meters));
        this.scrapeTime = keep(Timer.builder("demand_adapter_scrape_seconds")
                .description("Time from a scrape's start to its parsed samples").register(meters));
        keep(Gauge.builder("demand_adapter_scrape_targets", this, ScrapePool::targetCount)
                .description("Targets being scraped").strongReference(true).register(meters));
        keep(Gauge.builder("demand_adapter_scrapes_waiting", this, ScrapePool::waitingCount)
                .description("Scrapes due but waiting for a free slot").strongReference(true).register(meters));
    }

    private <M extends io.micrometer.core.instrument.Meter> M keep(M meter) {
        registered.add(meter);
        return meter;
    }

    /**
     * One metric's interest in its targets; {@link #close()} it when the metric goes.
     */
    public final class Subscription {
        private final ScrapeSettings settings;
        private final Set<String> names;
        private final int capacity;
        private volatile Map<String, SharedTarget> byPod = Map.of();
        private boolean closed;

        private Subscription(ScrapeSettings settings, Set<String> names, int capacity) {
            this.settings = settings;
            this.names = names;
            this.capacity = capacity;
        }

        /** Each pod's target, in the order given. */
        public Map<String, SharedTarget> targets() {
            return byPod;
        }

        /**
         * Scrapes these pods from now on: new ones start (their history empty), gone ones stop
         * at once, unchanged ones keep their history. A pod whose URL changed (a new IP) is a
         * new target.
         */
        public void update(Map<String, URI> urls) {
            synchronized (ScrapePool.this) {
                if (closed) {
                    return;
                }
                Future<HttpClient> client = clients.computeIfAbsent(settings, ScrapePool.this::client);
                Map<String, SharedTarget> next = new java.util.LinkedHashMap<>();
                urls.forEach((pod, url) -> {
                    SharedTarget target = targets.computeIfAbsent(new TargetKey(url, settings),
                            key -> new SharedTarget(key, client));
                    if (!byPod.containsValue(target)) {
                        target.subscribe(this, capacity);
                    }
                    next.put(pod, target);
                });
                for (SharedTarget old : byPod.values()) {
                    if (!next.containsValue(old)) {
                        old.unsubscribe(this);
                    }
                }
                byPod = java.util.Collections.unmodifiableMap(next);
            }
        }

        public void close() {
            synchronized (ScrapePool.this) {
                if (closed) {
                    return;
                }
                closed = true;
                for (SharedTarget target : byPod.values()) {
                    target.unsubscribe(this);
                }
                byPod = Map.of();
            }
        }
    }

    /**
     * Starts scraping {@code urls} (by pod) for {@code names}, keeping at least
     * {@code capacity} scrapes per target; {@link Subscription#update} changes the pods.
     */
    public synchronized Subscription subscribe(Map<String, URI> urls, ScrapeSettings settings, Set<String> names,
                                               int capacity) {
        Subscription subscription = new Subscription(settings, Set.copyOf(names), capacity);
        subscription.update(urls);
        return subscription;
    }

    private synchronized int targetCount() {
        return targets.size();
    }

    private synchronized int waitingCount() {
        return waiting.size();
    }

    /** TLS files are read on a worker: creating the client must not block the caller's event loop. */
    private Future<HttpClient> client(ScrapeSettings settings) {
        return vertx.executeBlocking(() -> {
            HttpClientOptions options = ClientTls.apply(new HttpClientOptions()
                    .setDecompressionSupported(true)
                    .setKeepAlive(true)
                    .setConnectTimeout((int) settings.timeout().toMillis()), settings.caFile(), settings.certFile(),
                    settings.keyFile(), settings.insecureSkipVerify());
            // Pods behind one address (a node port, a proxy, a benchmark) must not queue behind
            // Vert.x's default of 5 connections per address: the pool's own bound is MAX_IN_FLIGHT.
            return vertx.createHttpClient(options, new io.vertx.core.http.PoolOptions().setHttp1MaxSize(MAX_IN_FLIGHT));
        }, false);
    }

    /** One scraped URL: its history, its last error, and the metrics reading it. */
    public final class SharedTarget {
        private final TargetKey key;
        private final Future<HttpClient> client;
        private final Map<Subscription, Integer> subscribers = new HashMap<>();
        private TargetHistory history;
        private TargetScraper scraper;
        private long timer = -1;
        private boolean scraping;
        private boolean queued;
        private String lastError;
        private String token;
        private long tokenReadAt;

        private SharedTarget(TargetKey key, Future<HttpClient> client) {
            this.key = key;
            this.client = client;
        }

        /** The scrape history; read it while holding this target's lock. */
        public TargetHistory history() {
            return history;
        }

        /** Why the last scrape failed, or null when it succeeded (or none ran yet). */
        public synchronized String lastError() {
            return lastError;
        }

        private void subscribe(Subscription subscription, int capacity) {
            synchronized (this) {
                subscribers.put(subscription, capacity);
                int needed = subscribers.values().stream().mapToInt(Integer::intValue).max().orElse(capacity);
                if (history == null) {
                    history = new TargetHistory(needed, interner);
                } else if (history.capacity() < needed) {
                    history = history.resized(needed);
                }
                scraper = null; // the wanted names changed: a new parser on the next tick
            }
            if (timer < 0) {
                long interval = key.settings().interval().toMillis();
                vertx.setTimer(1, id -> tick()); // the first scrape at once: a new pod is served after its second
                timer = vertx.setPeriodic(firstPhasedTick(key.url(), interval, System.currentTimeMillis()), interval,
                        id -> tick());
            }
        }

        private void unsubscribe(Subscription subscription) {
            synchronized (this) {
                subscribers.remove(subscription);
                scraper = null;
                if (!subscribers.isEmpty()) {
                    return;
                }
            }
            vertx.cancelTimer(timer);
            targets.remove(key, this);
            waiting.remove(this);
        }

        private void tick() {
            synchronized (ScrapePool.this) {
                if (targets.get(key) != this) {
                    return; // unsubscribed before its first scrape
                }
                if (scraping || queued) {
                    ticksSkipped.increment();
                    return;
                }
                if (inFlight >= MAX_IN_FLIGHT) {
                    queued = true;
                    waiting.add(this);
                    return;
                }
                inFlight++;
                scraping = true;
            }
            start();
        }

        private void start() {
            long started = System.nanoTime();
            client.compose(http -> token().compose(bearer -> scraper(http).scrape(key.url().toString(), bearer)))
                    .onComplete(result -> {
                        scrapeTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                        finished(result.succeeded() ? result.result() : null,
                                result.succeeded() ? null : result.cause());
                    });
        }

        private synchronized TargetScraper scraper(HttpClient http) {
            if (scraper == null) {
                Set<String> names = new HashSet<>();
                subscribers.keySet().forEach(s -> names.addAll(s.names));
                scraper = new TargetScraper(vertx, http, new ExpositionParser(names, labelsCache),
                        key.settings().maxBytes(),
                        key.settings().timeout());
            }
            return scraper;
        }

        /** The bearer token, read again from its file every 30 s so a rotated token is used. */
        private Future<String> token() {
            String file = key.settings().bearerTokenFile();
            if (file == null) {
                return Future.succeededFuture(null);
            }
            long now = System.currentTimeMillis();
            if (token != null && now - tokenReadAt < TOKEN_REREAD_MILLIS) {
                return Future.succeededFuture(token);
            }
            return vertx.fileSystem().readFile(file).map(Buffer::toString).map(text -> {
                token = text.strip();
                tokenReadAt = now;
                return token;
            }).recover(error -> Future.failedFuture(new ScrapeException("cannot read bearerTokenFile " + file + ": "
                    + error.getMessage())));
        }

        private void finished(List<ScrapedSample> samples, Throwable error) {
            synchronized (this) {
                if (samples != null) {
                    long now = Math.max(System.currentTimeMillis(), history.lastScrape() + 1);
                    history.record(now, samples);
                    lastError = null;
                } else {
                    lastError = error instanceof ScrapeException ? error.getMessage()
                            : error.getClass().getSimpleName() + ": " + error.getMessage();
                }
            }
            (samples != null ? scrapesOk : scrapesFailed).increment();
            SharedTarget next;
            synchronized (ScrapePool.this) {
                scraping = false;
                next = waiting.poll();
                if (next == null) {
                    inFlight--;
                } else {
                    next.queued = false;
                    next.scraping = true;
                }
            }
            if (next != null) {
                next.start();
            }
        }
    }

    /**
     * Milliseconds from {@code now} to a target's first periodic scrape. Each target has its own
     * phase in the interval, from its URL (as Prometheus offsets its scrapes), so a thousand
     * targets added at once are scraped evenly through the interval instead of together: a
     * burst of parses would hold the event loop, and requests for metrics wait behind it. The
     * first periodic scrape is at least half an interval after the immediate first one, so the
     * two are far enough apart for a rate.
     */
    static long firstPhasedTick(URI url, long interval, long now) {
        long phase = Math.floorMod(url.toString().hashCode() * 0x9E3779B97F4A7C15L, interval);
        long delay = Math.floorMod(phase - now, interval);
        return delay < interval / 2 ? delay + interval : delay;
    }

    /** Stops every timer (the pool's last metric went). */
    public synchronized void close() {
        for (SharedTarget target : targets.values()) {
            vertx.cancelTimer(target.timer);
        }
        targets.clear();
        waiting.clear();
        clients.values().forEach(client -> client.onSuccess(HttpClient::close));
        clients.clear();
        registered.forEach(meters::remove);
    }
}
