package io.demandmetrics.adapter;

import io.demandmetrics.adapter.config.AdapterConfig;
import io.demandmetrics.adapter.config.ConfigException;
import io.demandmetrics.adapter.config.ConfigFiles;
import io.demandmetrics.adapter.config.ConfigParser;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.explain.Explanations;
import io.demandmetrics.adapter.http.AdapterServer;
import io.demandmetrics.adapter.http.MetricsApiHandler;
import io.demandmetrics.adapter.http.ServingTimeouts;
import io.demandmetrics.adapter.metrics.AdapterMetrics;
import io.demandmetrics.adapter.metrics.Exposition;
import io.demandmetrics.adapter.metrics.JvmMeters;
import io.demandmetrics.adapter.metrics.PollExposition;
import io.demandmetrics.adapter.metrics.PollMeters;
import io.demandmetrics.adapter.registry.PluginPins;
import io.demandmetrics.adapter.registry.RegistryException;
import io.demandmetrics.adapter.crd.DemandMetricWatch;
import io.demandmetrics.adapter.crd.TeamSecrets;
import io.demandmetrics.adapter.crd.TeamMetrics;
import io.demandmetrics.adapter.crd.TeamStatuses;
import io.demandmetrics.adapter.forward.Forwarding;
import io.demandmetrics.adapter.registry.ScalerRegistry;
import io.demandmetrics.adapter.replicas.Sharing;
import io.demandmetrics.adapter.store.MetricStore;
import io.demandmetrics.adapter.store.PollListener;
import io.demandmetrics.adapter.tls.SelfSignedCertificate;
import io.demandmetrics.adapter.tls.ServingCertificate;
import io.demandmetrics.adapter.tls.Sha256;
import io.demandmetrics.adapter.view.MetricView;
import io.demandmetrics.hpa.HpaManifest;
import io.demandmetrics.scaler.support.Durations;
import io.demandmetrics.scaler.support.TlsEngine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running adapter: scaler registry, config, metric store, HTTPS server and the watchers
 * that reload config and certificate. {@link Main} starts one; tests start several in one JVM.
 */
public final class Adapter {

    private static final Logger LOG = LoggerFactory.getLogger(Adapter.class);
    private static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(365);

    private final java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
    private final Sharing sharing;
    private final Vertx vertx;
    private final MetricStore store;
    private final AdapterServer server;
    private final List<FileWatch<?>> watches;
    private final int port;
    private final String bindAddress;
    private final ServingMode mode;
    private final Readiness readiness;
    private final ServingTimeouts timeouts;
    private final AdapterMetrics metrics;
    private final PluginReloader plugins;
    private final Forwarding forwarding;
    /** The cluster's DemandMetrics; null standalone. */
    private final DemandMetricWatch teamWatch;

    private Adapter(Vertx vertx, MetricStore store, AdapterServer server, List<FileWatch<?>> watches, int port,
                    String bindAddress, ServingMode mode, Sharing sharing, Readiness readiness, ServingTimeouts timeouts,
                    AdapterMetrics metrics, PluginReloader plugins, Forwarding forwarding, DemandMetricWatch teamWatch) {
        this.teamWatch = teamWatch;
        this.plugins = plugins;
        this.forwarding = forwarding;
        this.vertx = vertx;
        this.sharing = sharing;
        this.store = store;
        this.server = server;
        this.watches = watches;
        this.port = port;
        this.bindAddress = bindAddress;
        this.mode = mode;
        this.readiness = readiness;
        this.timeouts = timeouts;
        this.metrics = metrics;
    }

    /**
     * Starts the adapter and returns once it listens and every metric has been polled once
     * (or its first poll timed out).
     *
     * @throws StartupException with exit code 2 for anything the user must fix
     */
    /** The HPA manifests of --hpa-files, each checked as the API server would; a bad one stops the start. */
    private static List<io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler> hpas(
            List<Path> files) throws StartupException {
        List<io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler> hpas = new ArrayList<>();
        for (Path file : files) {
            try {
                if (Files.size(file) > 1024 * 1024) {
                    throw new IllegalArgumentException("larger than 1 MiB");
                }
                hpas.add(HpaManifest.read(Files.readString(file)));
            } catch (IOException | IllegalArgumentException e) {
                throw new StartupException(2, "--hpa-files " + file + ": " + e.getMessage());
            }
        }
        return List.copyOf(hpas);
    }

    public static Adapter start(AdapterOptions options, Clock clock) throws StartupException {
        String bind = options.effectiveBindAddress();
        if (options.standalone() && options.clientCaFile() == null && !isLoopback(bind)) {
            throw new StartupException(2, "refusing to serve anonymous requests on non-loopback address " + bind
                    + ": give --client-ca-file to require client certificates, or bind 127.0.0.1");
        }
        // The certificate first: a metric may scrape the adapter itself and name it as its CA
        // (the standalone example does), and parsing checks that such files are readable.
        ServingCertificate certificate = certificate(options, bind);
        // Read before the plugins are: a change while they load is then seen by the first check.
        String pluginListing = pluginListing(options);
        ScalerRegistry scalers = scalerRegistry(options);
        ConfigParser parser = new ConfigParser(scalers);
        List<io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler> hpas = hpas(options.hpaFiles());
        String configText = readConfig(options.config());
        AdapterConfig config = parse(parser, options.config(), configText);

        // The request timers check their windows' rotation at every request: by the recent time.
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT,
                new PrometheusRegistry(), RecentTime.micrometerClock());
        JvmMeters.bindTo(prometheus);
        Vertx vertx = vertx(prometheus);
        AdapterMetrics metrics = new AdapterMetrics(prometheus);
        ServingMode mode;
        try {
            mode = options.standalone() ? ServingMode.standalone(options) : ServingMode.inCluster(options, vertx, clock);
        } catch (StartupException e) {
            vertx.close();
            throw e;
        }
        Sharing sharing;
        try {
            sharing = mode.sharing(options.replicas(), vertx, certificate, prometheus, clock);
        } catch (StartupException e) {
            mode.close();
            vertx.close();
            throw e;
        }
        // Each metric's meters live apart from the rest: /metrics streams them (PollMeters says why).
        PollMeters pollMeters = new PollMeters(new SimpleMeterRegistry(), clock);
        // In a cluster, teams' DemandMetrics are served beside the file's metrics, their statuses written.
        TeamSecrets teamSecrets = mode.kubernetes().map(kubernetes -> new TeamSecrets(kubernetes, vertx,
                options.credentialsDir())).orElse(null);
        TeamMetrics team = teamSecrets == null ? null : new TeamMetrics(teamSecrets, options.teamDestinations(),
                java.util.Set.copyOf(options.teamPluginTypes()));
        TeamStatuses statuses = team == null ? null : new TeamStatuses(mode.kubernetes().get(), vertx,
                options.statusWritesPerSecond(), clock, team, sharing.ownership(), prometheus);
        PollListener listener = PollListener.both(pollMeters, sharing.listener());
        MetricStore store = new MetricStore(vertx, clock, prometheus,
                statuses == null ? listener : PollListener.both(listener, statuses), mode.pods(),
                sharing.ownership());
        Forwarding forwarding = new Forwarding(vertx, mode.clusterCa(vertx), prometheus);
        // After every config turn, and after every change of the buckets held here (an invalid
        // DemandMetric's status is written by the holder of its name's bucket).
        Runnable refreshStatuses = statuses == null ? () -> { } : () -> statuses.refreshAll(store.catalog());
        ConfigReloader configReloader = new ConfigReloader(vertx, options.config(), parser, configText, config, team,
                refreshStatuses, store, forwarding, metrics);
        sharing.afterOwnershipChanges(refreshStatuses);
        DemandMetricWatch teamWatch = team == null ? null : new DemandMetricWatch(vertx, mode.kubernetes().get(), team,
                teamSecrets, configReloader::teamChanged);
        PluginReloader plugins = new PluginReloader(vertx, options.pluginDir(), options.pluginPins(), scalers,
                configReloader, prometheus, store::forgetShared);
        Gauge.builder("demand_adapter_metrics_configured", store, s -> s.catalog().size())
                .description("Metrics in the config being served").register(prometheus);
        Gauge.builder("demand_adapter_metrics_polled_here", store, s -> s.polledHere().size())
                .description("Metrics this replica polls (all of them unless replicas share the polling)")
                .register(prometheus);
        Readiness readiness = new Readiness(store::catalog, System::nanoTime, options.timeouts().readinessGrace());
        // Each answer checks its value's age: by the recent time (a test's own clock is read as it is).
        MetricView view = new MetricView(store::catalog, mode.objects(),
                clock.equals(Clock.systemUTC()) ? RecentTime.clock() : clock);
        AdapterServer server = new AdapterServer(vertx,
                new AdapterServer.Routes(new MetricsApiHandler(store::catalog, view, forwarding),
                        new Explanations(store::catalog, view, clock, mode.hpas(hpas), mode.targetPods(),
                                sharing::ownerOf, () -> forwarding.explain(groupVersion ->
                                        store.catalog().discovery().names("/apis/" + groupVersion))),
                        new Exposition(prometheus, new PollExposition(pollMeters)),
                        readiness::notReadyReason),
                new AdapterServer.Access(mode.clientCertificates(), mode.gate()), metrics);
        int port;
        try {
            port = await(server.listen(bind, options.securePort(), certificate, options.eventLoops(),
                    options.timeouts()), 30);
            await(sharing.start(store), 30);
            await(store.apply(config), 60);
            forwarding.apply(config.forward());
        } catch (StartupException e) {
            sharing.close();
            mode.close();
            vertx.close();
            throw e;
        }
        readiness.listening();
        if (teamWatch != null) {
            teamWatch.start();
        }
        List<FileWatch<?>> watches = watchFiles(options, vertx, configText, pluginListing, configReloader, plugins,
                metrics, server, certificate);
        LOG.info("listening on https://{}:{} ({} TLS) with {} metrics", hostForUrl(bind), port,
                TlsEngine.name(), config.metrics().size());
        return new Adapter(vertx, store, server, watches, port, bind, mode, sharing, readiness, options.timeouts(),
                metrics, plugins, forwarding, teamWatch);
    }

    /** The scaler types: built in, and from the plugin directory. */
    private static ScalerRegistry scalerRegistry(AdapterOptions options) throws StartupException {
        try {
            PluginPins pins = options.pluginPins() == null ? null : PluginPins.read(options.pluginPins());
            if (options.pluginDir() != null) {
                LOG.info(pins == null ? "plugins: any jar in {} is loaded (no --plugin-pins)"
                        : "plugins: only the jars --plugin-pins lists are loaded from {}", options.pluginDir());
            }
            ScalerRegistry registry = ScalerRegistry.load(options.pluginDir(), pins, LOG::warn);
            LOG.info("scaler types: {}", registry.types());
            return registry;
        } catch (RegistryException e) {
            throw new StartupException(2, e.getMessage());
        }
    }

    private static AdapterConfig parse(ConfigParser parser, Path file, String text) throws StartupException {
        try {
            return parser.parse(text);
        } catch (ConfigException e) {
            throw new StartupException(2, "invalid config " + file + ":\n  " + String.join("\n  ", e.problems()));
        }
    }

    private static Vertx vertx(PrometheusMeterRegistry prometheus) {
        return Vertx.builder()
                // Vert.x's own HTTP server meters are off: their method label takes any token a client
                // sends, and their active-requests gauge counts requests the decoder rejects and never
                // gives them back. AdapterMetrics counts requests with bounded labels instead. The
                // HTTP client meters are off too: every client (one per scrape setting of the rps and
                // latency scalers) registers the same active-requests gauge again, which Micrometer
                // warns about; the scrape pool meters its scrapes itself. Its JVM meters are JvmMeters,
                // which read the collectors' totals instead of a notification per collection.
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                        .setJvmMetricsEnabled(false).addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
                        .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)))
                .withMetrics(new MicrometerMetricsFactory(prometheus))
                .build();
    }

    private static String pluginListing(AdapterOptions options) {
        try {
            return options.pluginDir() == null ? "" : ScalerRegistry.listing(options.pluginDir(), options.pluginPins());
        } catch (IOException e) {
            return ""; // loading says why; the first check reloads
        }
    }

    /**
     * The config file and the plugin directory, applied live when they change, and the serving
     * certificate, swapped when it rotates.
     */
    private static List<FileWatch<?>> watchFiles(AdapterOptions options, Vertx vertx, String configText,
                                                 String pluginListing, ConfigReloader configReloader,
                                                 PluginReloader plugins, AdapterMetrics metrics,
                                                 AdapterServer server, ServingCertificate certificate) {
        List<FileWatch<?>> watches = new ArrayList<>();
        FileWatch<String> configWatch = new FileWatch<>(vertx, () -> ConfigFiles.read(options.config()),
                Sha256::hex, Sha256.hex(configText), configReloader::changed);
        watches.add(configWatch);
        if (options.pluginDir() != null) {
            FileWatch<String> pluginWatch = new FileWatch<>(vertx,
                    () -> ScalerRegistry.listing(options.pluginDir(), options.pluginPins()), Sha256::hex,
                    Sha256.hex(pluginListing), plugins::changed);
            pluginWatch.start(options.configCheckInterval());
            watches.add(pluginWatch);
        }
        FileWatch<ServingCertificate> certWatch = new FileWatch<>(vertx,
                () -> ServingCertificate.read(certificate.certFile(), certificate.keyFile()),
                ServingCertificate::fingerprint, certificate.fingerprint(),
                (fresh, error) -> rotate(server, metrics, fresh, error));
        configWatch.start(options.configCheckInterval());
        certWatch.start(options.certCheckInterval());
        watches.add(certWatch);
        return List.copyOf(watches);
    }

    /** The port the server listens on. */
    public int port() {
        return port;
    }

    /** The metrics being served, in config order. */
    public List<MetricKey> metrics() {
        return store.catalog().keys();
    }

    /** The base URL clients use. */
    public String url() {
        return "https://" + hostForUrl(bindAddress) + ":" + port;
    }

    /**
     * Shuts down as a Kubernetes server should, one log line per step: readiness fails first
     * (and requests are still served for the shutdown delay, while endpoints drop the pod),
     * then listening stops and in-flight requests get the grace period to finish, then pollers
     * and scalers close. Blocks until done; call it from a shutdown hook, never an event loop. A second call does nothing.
     */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return; // a second call (the shutdown hook after an explicit stop) has nothing left to do
        }
        readiness.shuttingDown();
        watches.forEach(FileWatch::stop);
        // The buckets go first: the other replicas take them over at their next look, while this
        // one still serves what it has until it stops listening.
        await("giving the buckets back", sharing.close(), 10_000);
        if (!timeouts.shutdownDelay().isZero()) {
            LOG.info("shutting down: readiness fails; serving for {} more while endpoints drop this pod",
                    Durations.format(timeouts.shutdownDelay()));
            try {
                Thread.sleep(timeouts.shutdownDelay().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.info("shutting down: listening stopped; {} requests in flight get up to {} to finish",
                metrics.requestsInFlight(), Durations.format(timeouts.shutdownGrace()));
        long unansweredBefore = metrics.requestsUnanswered();
        long graceEnds = System.nanoTime() + timeouts.shutdownGrace().toNanos();
        long bound = timeouts.shutdownGrace().toMillis() + 30_000;
        await("in-flight requests", server.shutdown(timeouts.shutdownGrace()), bound);
        // Vert.x can report the shutdown done while the last answers' end and close events are
        // still queued on the event loop: let them land, within what is left of the grace period.
        while (metrics.requestsInFlight() > 0 && System.nanoTime() < graceEnds) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // Unanswered: dispatched requests whose connection or stream closed before their answer,
        // HTTP/1.1 requests received and never dispatched, and any still in flight.
        long unanswered = metrics.requestsUnanswered() - unansweredBefore + server.undispatchedAtShutdown()
                + metrics.requestsInFlight();
        LOG.info("shutting down: requests finished ({} left unanswered); closing pollers and scalers", unanswered);
        if (teamWatch != null) {
            teamWatch.close();
        }
        await("closing pollers and scalers", store.close(), 30_000);
        forwarding.close();
        plugins.current().close();
        mode.close();
        await("stopping Vert.x", vertx.close(), 30_000);
        LOG.info("shut down");
    }

    private static void await(String step, io.vertx.core.Future<Void> future, long millis) {
        try {
            future.toCompletionStage().toCompletableFuture().get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("shutting down: {} took too long or failed: {}", step, e.toString());
        }
    }

    private static void rotate(AdapterServer server, AdapterMetrics metrics, ServingCertificate fresh,
                               Throwable error) {
        if (error != null) {
            LOG.warn("cannot read the serving certificate: {}; keeping the current one", error.getMessage());
            metrics.certificateReload(false);
            return;
        }
        server.updateCertificate(fresh).onComplete(result -> {
            metrics.certificateReload(result.succeeded());
            if (result.succeeded()) {
                LOG.info("serving certificate reloaded from {}", fresh.certFile());
            } else {
                LOG.warn("the new serving certificate from {} was rejected: {}; keeping the current one",
                        fresh.certFile(), result.cause().getMessage());
            }
        });
    }

    private static String readConfig(Path file) throws StartupException {
        try {
            return ConfigFiles.read(file);
        } catch (IOException e) {
            throw new StartupException(2, "cannot read --config " + file + ": " + e.getMessage());
        }
    }

    private static ServingCertificate certificate(AdapterOptions options, String bind) throws StartupException {
        try {
            if (options.tlsCertFile() != null) {
                return ServingCertificate.read(options.tlsCertFile(), options.tlsPrivateKeyFile());
            }
            List<Path> generated = SelfSignedCertificate.ensure(options.certDir(), bind, CERTIFICATE_VALIDITY);
            LOG.info("serving with the self-signed certificate {}", generated.get(0));
            return ServingCertificate.read(generated.get(0), generated.get(1));
        } catch (IOException e) {
            throw new StartupException(2, "cannot load the serving certificate: " + e.getMessage(), e);
        }
    }

    private static <T> T await(io.vertx.core.Future<T> future, int seconds) throws StartupException {
        try {
            return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException(1, "interrupted while starting");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            int code = cause instanceof IllegalArgumentException ? 2 : 1;
            throw new StartupException(code, cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new StartupException(1, "startup did not complete in " + seconds + " s");
        }
    }

    private static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String hostForUrl(String bind) {
        return bind.contains(":") ? "[" + bind + "]" : bind;
    }
}
