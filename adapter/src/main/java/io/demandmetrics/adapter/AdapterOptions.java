package io.demandmetrics.adapter;

import io.demandmetrics.adapter.auth.DelegatedAuthOptions;
import io.demandmetrics.adapter.http.ServingTimeouts;
import io.demandmetrics.adapter.replicas.LeaseTiming;
import io.demandmetrics.adapter.replicas.ReplicaOptions;
import io.demandmetrics.scaler.support.BoundedQuote;
import io.demandmetrics.scaler.support.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line flags, named as Kubernetes extension API servers name them.
 *
 * @param bindAddress null means the mode's default: 127.0.0.1 standalone, 0.0.0.0 in-cluster
 * @param pluginPins the plugin jars that may be loaded, by SHA-256; null: any in the plugin directory
 * @param hpaFiles standalone: HPA manifests whose proposals /explain shows for the metrics they read
 * @param credentialsDir in a cluster: where the Secret keys DemandMetrics name are written for the scalers
 * @param teamDestinations hosts beyond their namespace DemandMetrics may call (README: the reach rule)
 * @param teamPluginTypes scaler types beyond the built-in ones DemandMetrics may use
 */
public record AdapterOptions(int securePort, String bindAddress, Path tlsCertFile, Path tlsPrivateKeyFile,
                             Path certDir, Path config, Path pluginDir, Path pluginPins, boolean standalone,
                             Path clientCaFile,
                             Duration configCheckInterval, Duration certCheckInterval, int eventLoops,
                             ServingTimeouts timeouts, DelegatedAuthOptions auth, List<Path> hpaFiles,
                             ReplicaOptions replicas, int statusWritesPerSecond, Path credentialsDir,
                             List<String> teamDestinations, List<String> teamPluginTypes) {

    static final String USAGE = """
            Usage: demand-adapter --config FILE [flags]

              --config FILE                 metrics to serve (YAML); watched, valid changes apply live
              --standalone                  serve without a Kubernetes API (no delegated auth);
                                            binds 127.0.0.1 unless --client-ca-file is given
              --secure-port N               HTTPS port (default 6443; 0 picks a free port)
              --bind-address ADDR           address to listen on (default 127.0.0.1 standalone, 0.0.0.0 in-cluster)
              --tls-cert-file FILE          serving certificate (PEM); re-read when it changes
              --tls-private-key-file FILE   its private key (PEM)
              --cert-dir DIR                where a self-signed certificate is made when none is given
                                            (default: $TMPDIR/demand-adapter-certs)
              --client-ca-file FILE         require client certificates signed by this CA
              --plugin-dir DIR              load scaler plugins from DIR (jars, or directories of jars)
              --plugin-pins FILE            load only the plugin jars FILE lists with their SHA-256
                                            (sha256sum's format; README, "Team plugins")
              --config-check-interval DUR   how often the config file is checked (default 2s)
              --cert-check-interval DUR     how often the certificate files are checked (default 10s)
              --event-loops N               HTTP server instances (default: number of CPUs)
              --read-header-timeout DUR     time a client has to send a request's headers (default 32s)
              --idle-timeout DUR            close connections idle this long (default 90s)
              --shutdown-delay DUR          after SIGTERM, fail readiness but keep serving this long
                                            (default 0s; set it to the time endpoints take to drop a pod)
              --shutdown-grace-period DUR   then stop listening and give in-flight requests this long
                                            (default 20s; keep delay + grace below the pod's
                                            terminationGracePeriodSeconds)
              --readiness-grace DUR         /readyz waits for every metric to have a value, at most
                                            this long after listening starts (default 30s; 0s: ready
                                            once every first poll has ended)
              --hpa-files FILE,...          standalone: HPA manifests (autoscaling/v2) whose proposals
                                            /explain shows for the metrics they read
              --help                        this text

            In-cluster mode (without --standalone): callers are authenticated (front proxy,
            client certificate, bearer token) and authorized with SubjectAccessReviews.
              --kubeconfig FILE                          reach the API with FILE (default: in-cluster service account)
              --requestheader-client-ca-file FILE        front-proxy CA (default: from ConfigMap
                                                         kube-system/extension-apiserver-authentication, watched)
              --requestheader-allowed-names A,B          front-proxy certificate common names (empty: any)
              --requestheader-username-headers H,...     default X-Remote-User
              --requestheader-group-headers H,...        default X-Remote-Group
              --requestheader-extra-headers-prefix P,... default X-Remote-Extra-
              --client-ca-file FILE                      client certificates' CA (default: from the ConfigMap)
              --authentication-token-cache-ttl DUR       how long TokenReview answers are kept (default 10s)
              --authorization-cache-ttl DUR              how long SubjectAccessReview answers are kept (default 10s)
              --authorization-always-allow-paths P,...   served without authentication (default /healthz,/readyz,/livez)
              --status-writes-per-second N               DemandMetric status updates started a second at most
                                                         (default 50; README: For the platform team)
              --credentials-dir DIR                      where the Secret keys DemandMetrics name are written
                                                         for the scalers, deleted at exit (default: $TMPDIR/demand-adapter-credentials-PID;
                                                         deploy/ mounts a memory-backed emptyDir)
              --team-destinations H[:P],*.D[:P],...      hosts DemandMetrics may call beyond their own namespace's
                                                         Services (default: none; README: the reach rule)
              --team-plugin-types T,...                  plugin scaler types DemandMetrics may use (default: none)

            Several replicas (in-cluster): each metric is polled by one replica, which sends its
            readings to the others; every replica answers every metric (README: Running several replicas).
              --replica-buckets N           hash the metrics into N buckets held by Leases (default 0:
                                            every replica polls every metric)
              --peer-port N                 port the other replicas send readings to (default 6444)
              --peer-address ADDR[:PORT]    address they reach this replica at (default: $POD_IP; PORT:
                                            one that leads to the peer port, default the peer port)
              --peer-token-file FILE        projected token for audience demand-metrics-adapter-peers
                                            (default /var/run/secrets/demand-metrics/peer-token)
              --lease-namespace NS          where the Leases live (default: $POD_NAMESPACE)
              --lease-name NAME             the Leases' name prefix (default demand-metrics-adapter)
              --lease-duration DUR          a Lease nobody renews is free after this (default 10s)
              --lease-renew-deadline DUR    a holder that cannot renew stops after this (default 7s)
              --lease-retry-period DUR      how often the Leases are looked at (default 2s)
            """;

    /** A command line that cannot be used; the message says why. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private static final List<String> FLAGS_WITH_VALUES = List.of("secure-port", "bind-address", "tls-cert-file",
            "tls-private-key-file", "cert-dir", "config", "plugin-dir", "plugin-pins", "client-ca-file",
            "config-check-interval", "cert-check-interval", "event-loops", "read-header-timeout", "idle-timeout",
            "shutdown-delay", "shutdown-grace-period", "readiness-grace", "kubeconfig", "requestheader-client-ca-file",
            "requestheader-allowed-names", "requestheader-username-headers", "requestheader-group-headers",
            "requestheader-extra-headers-prefix", "authentication-token-cache-ttl", "authorization-cache-ttl",
            "authorization-always-allow-paths", "hpa-files", "replica-buckets", "peer-port", "peer-address",
            "peer-token-file", "lease-namespace", "lease-name", "lease-duration", "lease-renew-deadline",
            "lease-retry-period", "status-writes-per-second", "credentials-dir", "team-destinations",
            "team-plugin-types");
    private static final List<String> SWITCHES = List.of("standalone", "help");

    /** Parses {@code --flag value}, {@code --flag=value} and switches. */
    static AdapterOptions parse(String... args) throws UsageException {
        List<String> problems = new ArrayList<>();
        Map<String, String> values = flags(args, problems);
        if (values.containsKey("help")) {
            throw new UsageException("");
        }
        if (!values.containsKey("config")) {
            problems.add("--config is required");
        }
        boolean standalone = bool(values, "standalone", problems);
        int port = integer(values, "secure-port", 6443, 0, 65535, problems);
        int loops = integer(values, "event-loops", Runtime.getRuntime().availableProcessors(), 1, 64, problems);
        Duration configCheck = duration(values, "config-check-interval", Duration.ofSeconds(2), problems);
        Duration certCheck = duration(values, "cert-check-interval", Duration.ofSeconds(10), problems);
        ServingTimeouts timeouts = timeouts(values, problems);
        if (values.containsKey("tls-cert-file") != values.containsKey("tls-private-key-file")) {
            problems.add("--tls-cert-file and --tls-private-key-file go together");
        }
        DelegatedAuthOptions auth = auth(values, problems);
        List<Path> hpaFiles = list(values, "hpa-files", List.of()).stream().map(Path::of).toList();
        if (!hpaFiles.isEmpty() && !standalone) {
            problems.add("--hpa-files is for --standalone: in a cluster the adapter watches the HPAs themselves");
        }
        ReplicaOptions replicas = replicas(values, standalone, problems);
        int statusWrites = integer(values, "status-writes-per-second", 50, 1, 10_000, problems);
        if (values.containsKey("plugin-pins") && !values.containsKey("plugin-dir")) {
            problems.add("--plugin-pins lists the jars of --plugin-dir, which is not given");
        }
        if (!problems.isEmpty()) {
            throw new UsageException(String.join("\n", problems));
        }
        Path certDir = values.containsKey("cert-dir") ? Path.of(values.get("cert-dir"))
                : Path.of(System.getProperty("java.io.tmpdir"), "demand-adapter-certs");
        Path credentialsDir = values.containsKey("credentials-dir") ? Path.of(values.get("credentials-dir"))
                : Path.of(System.getProperty("java.io.tmpdir"), "demand-adapter-credentials-" + ProcessHandle.current().pid());
        return new AdapterOptions(port, values.get("bind-address"), path(values, "tls-cert-file"),
                path(values, "tls-private-key-file"), certDir, path(values, "config"), path(values, "plugin-dir"),
                path(values, "plugin-pins"), standalone, path(values, "client-ca-file"), configCheck, certCheck, loops,
                timeouts, auth, hpaFiles, replicas, statusWrites, credentialsDir, list(values, "team-destinations",
                List.of()), list(values, "team-plugin-types", List.of()));
    }

    private static ReplicaOptions replicas(Map<String, String> values, boolean standalone, List<String> problems) {
        ReplicaOptions off = ReplicaOptions.OFF;
        int buckets = integer(values, "replica-buckets", 0, 0, 1024, problems);
        if (buckets > 0 && standalone) {
            problems.add("--replica-buckets is for a cluster: standalone, one process polls every metric");
        }
        LeaseTiming timing = off.timing();
        try {
            timing = new LeaseTiming(duration(values, "lease-duration", off.timing().leaseDuration(), problems),
                    duration(values, "lease-renew-deadline", off.timing().renewDeadline(), problems),
                    duration(values, "lease-retry-period", off.timing().retryPeriod(), problems));
        } catch (IllegalArgumentException e) {
            problems.add("--lease-*: " + e.getMessage());
        }
        return new ReplicaOptions(buckets, integer(values, "peer-port", off.peerPort(), 0, 65535, problems),
                values.get("peer-address"), values.containsKey("peer-token-file")
                        ? Path.of(values.get("peer-token-file")) : off.peerTokenFile(),
                values.get("lease-namespace"), values.getOrDefault("lease-name", off.leaseName()), timing,
                off.flushEvery());
    }

    /** {@code --flag value}, {@code --flag=value} and switches by name; what is not a flag goes to {@code problems}. */
    private static Map<String, String> flags(String[] args, List<String> problems) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                problems.add("unexpected argument \"" + arg + "\"");
                continue;
            }
            String name = arg.substring(2);
            String value = null;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            if (SWITCHES.contains(name)) {
                values.put(name, value == null ? "true" : value);
            } else if (FLAGS_WITH_VALUES.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        problems.add("flag --" + name + " needs a value");
                        continue;
                    }
                    value = args[++i];
                }
                values.put(name, value);
            } else {
                problems.add("unknown flag --" + name);
            }
        }
        return values;
    }

    private static ServingTimeouts timeouts(Map<String, String> values, List<String> problems) {
        return new ServingTimeouts(
                duration(values, "read-header-timeout", Duration.ofSeconds(32), problems),
                duration(values, "idle-timeout", Duration.ofSeconds(90), problems),
                zeroOrDuration(values, "shutdown-delay", problems),
                duration(values, "shutdown-grace-period", Duration.ofSeconds(20), problems),
                values.containsKey("readiness-grace") ? zeroOrDuration(values, "readiness-grace", problems)
                        : Duration.ofSeconds(30));
    }

    private static DelegatedAuthOptions auth(Map<String, String> values, List<String> problems) {
        return new DelegatedAuthOptions(path(values, "kubeconfig"),
                path(values, "requestheader-client-ca-file"), list(values, "requestheader-allowed-names", List.of()),
                list(values, "requestheader-username-headers", List.of()),
                list(values, "requestheader-group-headers", List.of()),
                list(values, "requestheader-extra-headers-prefix", List.of()),
                ttl(values, "authentication-token-cache-ttl", problems), ttl(values, "authorization-cache-ttl", problems),
                list(values, "authorization-always-allow-paths", List.of("/healthz", "/readyz", "/livez")));
    }

    /** The address to bind: the flag, or the mode's default. */
    public String effectiveBindAddress() {
        if (bindAddress != null) {
            return bindAddress;
        }
        return standalone ? "127.0.0.1" : "0.0.0.0";
    }

    private static List<String> list(Map<String, String> values, String name, List<String> defaultValue) {
        if (!values.containsKey(name)) {
            return defaultValue;
        }
        return java.util.Arrays.stream(values.get(name).split(",")).map(String::trim).filter(v -> !v.isEmpty())
                .toList();
    }

    /** A cache TTL: 0s disables the cache. */
    private static Duration ttl(Map<String, String> values, String name, List<String> problems) {
        if (!values.containsKey(name)) {
            return Duration.ofSeconds(10);
        }
        try {
            return Durations.parse(values.get(name));
        } catch (IllegalArgumentException e) {
            problems.add("flag --" + name + " value \"" + values.get(name) + "\" must be a duration (e.g. 10s, 0s to disable)");
            return Duration.ofSeconds(10);
        }
    }

    private static Path path(Map<String, String> values, String name) {
        return values.containsKey(name) ? Path.of(values.get(name)) : null;
    }

    private static boolean bool(Map<String, String> values, String name, List<String> problems) {
        String value = values.getOrDefault(name, "false");
        if (!value.equals("true") && !value.equals("false")) {
            problems.add("flag --" + name + " takes true or false, not \"" + value + "\"");
        }
        return value.equals("true");
    }

    private static int integer(Map<String, String> values, String name, int defaultValue, int min, int max,
                               List<String> problems) {
        if (!values.containsKey(name)) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(values.get(name));
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add("flag --" + name + " value \"" + values.get(name) + "\" must be an integer from " + min
                + " to " + max);
        return defaultValue;
    }

    /** A duration flag that may also be 0 (off); absent means 0. */
    private static Duration zeroOrDuration(Map<String, String> values, String name, List<String> problems) {
        String value = values.get(name);
        try {
            if (value == null || Durations.parse(value).isZero()) {
                return Duration.ZERO;
            }
        } catch (IllegalArgumentException e) {
            // not a duration: reported below
        }
        return duration(values, name, Duration.ZERO, problems);
    }

    private static Duration duration(Map<String, String> values, String name, Duration defaultValue,
                                     List<String> problems) {
        if (!values.containsKey(name)) {
            return defaultValue;
        }
        try {
            Duration value = Durations.parse(values.get(name));
            if (value.compareTo(Duration.ofMillis(1)) >= 0 && value.compareTo(Duration.ofDays(1)) <= 0) {
                return value;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        problems.add("flag --" + name + " value " + BoundedQuote.quote(values.get(name))
                + " must be a duration from 1ms to 24h (e.g. 2s)");
        return defaultValue;
    }
}
