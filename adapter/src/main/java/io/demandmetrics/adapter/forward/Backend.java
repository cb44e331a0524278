package io.demandmetrics.adapter.forward;

import io.demandmetrics.adapter.api.MetricsApi;
import io.demandmetrics.adapter.config.ForwardBackend;
import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.scaler.support.ClientExchange;
import io.demandmetrics.scaler.support.TlsEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One other metrics adapter: a pooled client (HTTP/2 where it speaks it, else a few HTTP/1.1
 * connections), the metrics its discovery lists (read on an interval, the last good list kept
 * while it is down), and the forwarding of one request, bounded in time and size.
 */
final class Backend {

    private static final Logger LOG = LoggerFactory.getLogger(Backend.class);
    /** The largest answer passed on: a metric's values, not a dump. */
    static final int MAX_ANSWER_BYTES = 4 * 1024 * 1024;
    /** Requests at once over HTTP/1.1 (HTTP/2 multiplexes on one connection). */
    private static final int HTTP1_CONNECTIONS = 8;
    /** Names both serve, shown at most on the explain page (the count is shown too). */
    private static final int MAX_CONFLICTS_SHOWN = 100;
    /** Resources kept from one discovery document: a bound on what a backend can make us hold. */
    private static final int MAX_RESOURCES = 20_000;

    private final Vertx vertx;
    private final ForwardBackend settings;
    private final ClusterCa clusterCa;
    /** Null while a CA read from the cluster is not known yet ({@link #caProblem} says why). */
    private volatile HttpClient client;
    private volatile String caPem;
    private volatile String caProblem = "not read yet";
    private volatile boolean closed;
    private final BearerToken token;
    /** By group-version ({@code external.metrics.k8s.io/v1beta1}): the resources its discovery lists. */
    private volatile Map<String, List<JsonObject>> resources = Map.of();
    private volatile Map<String, Set<String>> names = Map.of();
    /** By group-version: why its discovery cannot be read now (logged when it starts failing). */
    private final Map<String, String> discoveryProblems = new ConcurrentHashMap<>();
    private long timer = -1;
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Counter answered;
    private final Counter failed;

    Backend(Vertx vertx, ForwardBackend settings, ClusterCa clusterCa, MeterRegistry registry) {
        this.vertx = vertx;
        this.settings = settings;
        this.clusterCa = clusterCa;
        this.registry = registry;
        this.answered = register(forwardedRequests("answered"));
        this.failed = register(forwardedRequests("failed"));
        register(Gauge.builder("demand_adapter_forward_backend_metrics", this,
                backend -> backend.names.values().stream().mapToInt(Set::size).sum()).tag("backend", settings.name())
                .description("Metrics the backend's last good discovery lists (its placeholders excluded)")
                .register(registry));
        register(Gauge.builder("demand_adapter_forward_discovery_failing", this,
                backend -> backend.discoveryProblems.isEmpty() ? 0 : 1).tag("backend", settings.name())
                .description("1 while the backend's discovery cannot be read (its last list is kept)")
                .register(registry));
        if (settings.insecureSkipTlsVerify()) {
            this.client = client(options -> options.setTrustAll(true).setVerifyHost(false));
        } else if (settings.caFile() != null) {
            this.client = client(options -> options.setTrustOptions(new PemTrustOptions().addCertPath(settings.caFile())));
        }
        this.token = new BearerToken(vertx, settings.tokenFile());
    }

    /** The series of {@code demand_adapter_forwarded_requests_total} for this backend and {@code result}. */
    private Counter forwardedRequests(String result) {
        return Counter.builder("demand_adapter_forwarded_requests").tag("backend", settings.name()).tag("result", result)
                .description("Requests forwarded to the backend, by result: its answer passed on, or a 503 because it"
                        + " failed (down, slow, too large, garbage)").register(registry);
    }

    private HttpClient client(Consumer<HttpClientOptions> trust) {
        HttpClientOptions options = new HttpClientOptions().setSsl(true).setSslEngineOptions(TlsEngine.preferred())
                .setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false).setKeepAlive(true)
                .setConnectTimeout((int) settings.timeout().toMillis())
                .setDefaultHost(settings.url().getHost()).setDefaultPort(settings.url().getPort());
        trust.accept(options);
        return vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(HTTP1_CONNECTIONS)
                .setHttp2MaxSize(1));
    }

    ForwardBackend settings() {
        return settings;
    }

    /** Reads its CA (when it comes from the cluster) and its discovery now, then every {@code discoveryInterval}. */
    void start() {
        refresh();
        timer = vertx.setPeriodic(settings.discoveryInterval().toMillis(), id -> refresh());
    }

    private void refresh() {
        if (settings.caFromApiService() == null) {
            refreshDiscovery();
            return;
        }
        clusterCa.read(settings).onComplete(read -> {
            if (closed) {
                return;
            }
            if (read.succeeded()) {
                trust(read.result());
            } else {
                caUnknown(read.cause().getMessage());
            }
            if (client != null) {
                refreshDiscovery();
            }
        });
    }

    /** Connects with {@code pem} from now on; connections open on the previous CA finish what they carry. */
    private void trust(String pem) {
        if (pem.equals(caPem)) {
            return;
        }
        HttpClient previous = client;
        client = client(options -> options.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(pem))));
        caPem = pem;
        caProblem = null;
        LOG.info("{}: trusting the CA read from APIService {}", settings.describe(), settings.caFromApiService());
        if (previous != null) {
            previous.shutdown(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The CA cannot be read: a CA read before stays trusted; without one every request is a 503 saying why. */
    private void caUnknown(String problem) {
        if (!problem.equals(caProblem)) {
            LOG.warn("{}: {}{}", settings.describe(), problem, caPem == null ? ""
                    : "; the CA read before is kept");
        }
        caProblem = problem;
    }

    /**
     * What the explain page shows of it: where it is, how its CA is trusted, what its discovery
     * lists, why it cannot be read, and the names {@code ours} also lists (ours win).
     *
     * @param ours by group-version, the names this adapter's discovery lists
     */
    JsonObject explain(Function<String, Set<String>> ours) {
        JsonObject entry = new JsonObject().put("backend", settings.name()).put("url", settings.url().toString())
                .put("groups", new JsonArray(settings.groups())).put("trust", settings.insecureSkipTlsVerify()
                        ? "insecureSkipTLSVerify" : settings.caFile() != null ? "caFile " + settings.caFile()
                        : "caFromAPIService " + settings.caFromApiService());
        if (client == null) {
            entry.put("caProblem", caProblem);
        }
        JsonArray conflicts = new JsonArray();
        int metrics = 0;
        int conflicting = 0;
        for (Map.Entry<String, Set<String>> listed : new TreeMap<>(names).entrySet()) {
            metrics += listed.getValue().size();
            Set<String> both = ours.apply(listed.getKey());
            for (String name : new TreeSet<>(listed.getValue())) {
                if (both.contains(name) && conflicting++ < MAX_CONFLICTS_SHOWN) {
                    conflicts.add(listed.getKey() + " " + name);
                }
            }
        }
        entry.put("metricsListed", metrics).put("conflicts", conflicts).put("conflictsTotal", conflicting);
        JsonObject failing = new JsonObject();
        new TreeMap<>(discoveryProblems).forEach(failing::put);
        return entry.put("discoveryFailing", failing);
    }

    void close() {
        closed = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (client != null) {
            client.close();
        }
        meters.forEach(registry::remove);
    }

    private <M extends Meter> M register(M meter) {
        meters.add(meter);
        return meter;
    }

    /** Counts a forwarded request's outcome (discovery reads are not counted). */
    void counted(boolean passedOn) {
        (passedOn ? answered : failed).increment();
    }

    /** Whether its last good discovery of {@code groupVersion} lists {@code resource} (a discovery name). */
    boolean lists(String groupVersion, String resource) {
        Set<String> listed = names.get(groupVersion);
        return listed != null && listed.contains(resource);
    }

    boolean serves(String group) {
        return settings.groups().contains(group);
    }

    /** The resources its last good discovery of {@code groupVersion} listed, placeholders left out. */
    List<JsonObject> resources(String groupVersion) {
        return resources.getOrDefault(groupVersion, List.of());
    }

    /**
     * Asks it {@code uri} (path and query, as the client sent them) as this adapter, with the
     * client's {@code Accept}.
     *
     * @return its answer; failed with {@link RequestFailure.BackendUnavailable} naming it and why
     */
    Future<Forwarded> get(String uri, String accept) {
        HttpClient client = this.client;
        if (client == null) {
            return Future.failedFuture(new RequestFailure.BackendUnavailable(settings.describe()
                    + ": its CA is not known: " + caProblem));
        }
        return token.value().compose(bearer -> {
            RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setURI(uri)
                    .setTimeout(settings.timeout().toMillis())
                    .putHeader(HttpHeaders.ACCEPT, accept == null ? "application/json" : accept);
            if (bearer != null) {
                request.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + bearer);
            }
            return ClientExchange.send(client, request, this::read);
        }).recover(error -> Future.failedFuture(error instanceof RequestFailure ? error
                : new RequestFailure.BackendUnavailable(settings.describe() + " did not answer: " + describe(error))));
    }

    private Future<Forwarded> read(HttpClientResponse response) {
        String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && declaredLength(length) > MAX_ANSWER_BYTES) {
            // The reset comes back as the response's exception: expected, and already answered (a 503).
            response.exceptionHandler(reset -> { });
            response.request().reset();
            return Future.failedFuture(tooLarge());
        }
        Promise<Forwarded> answered = Promise.promise();
        Buffer body = Buffer.buffer();
        response.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_ANSWER_BYTES) {
                if (answered.tryFail(tooLarge())) {
                    response.request().reset();
                }
                return;
            }
            body.appendBuffer(chunk);
        });
        response.exceptionHandler(answered::tryFail);
        response.endHandler(ignored -> answered.tryComplete(new Forwarded(settings.name(), response.statusCode(),
                response.getHeader(HttpHeaders.CONTENT_TYPE), body)));
        return answered.future();
    }

    /** The Content-Length a backend declared; a number too long to parse is too large, garbage is left to the body's count. */
    private static long declaredLength(String header) {
        String digits = header.trim();
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return digits.length() >= 19 ? Long.MAX_VALUE : Long.parseLong(digits);
    }

    private RequestFailure tooLarge() {
        return new RequestFailure.BackendUnavailable(settings.describe() + " answered more than "
                + MAX_ANSWER_BYTES / (1024 * 1024) + " MiB");
    }

    private void refreshDiscovery() {
        List<String> groupVersions = new ArrayList<>();
        for (String group : settings.groups()) {
            for (String version : MetricsApi.versions(group)) {
                groupVersions.add(group + "/" + version);
            }
        }
        List<Future<Void>> reads = new ArrayList<>();
        Map<String, List<JsonObject>> nextResources = new LinkedHashMap<>(resources);
        Map<String, Set<String>> nextNames = new LinkedHashMap<>(names);
        for (String groupVersion : groupVersions) {
            reads.add(get("/apis/" + groupVersion, "application/json").<Void>map(answer -> {
                if (answer.status() == 404) {
                    nextResources.remove(groupVersion); // it does not serve this version: nothing to list
                    nextNames.remove(groupVersion);
                    return null;
                }
                List<JsonObject> listed = resourceList(groupVersion, answer);
                nextResources.put(groupVersion, listed);
                Set<String> listedNames = new HashSet<>();
                listed.forEach(resource -> listedNames.add(resource.getString("name")));
                nextNames.put(groupVersion, listedNames);
                return null;
            }).recover(error -> {
                logOnce(groupVersion, error.getMessage());
                return Future.succeededFuture(); // the last good list stays
            }));
        }
        Future.join(reads).onComplete(ignored -> {
            resources = Map.copyOf(nextResources);
            names = Map.copyOf(nextNames);
        });
    }

    /** The resources of an APIResourceList, checked; placeholders (KEDA's "externalmetrics") left out. */
    private List<JsonObject> resourceList(String groupVersion, Forwarded answer) {
        if (answer.status() != 200) {
            throw new RequestFailure.BackendUnavailable(settings.describe() + " answered " + answer.status()
                    + " for its discovery of " + groupVersion);
        }
        JsonArray listed;
        try {
            JsonObject document = new JsonObject(answer.body());
            if (!"APIResourceList".equals(document.getString("kind"))) {
                throw new IllegalArgumentException("not an APIResourceList");
            }
            listed = document.getJsonArray("resources", new JsonArray());
        } catch (RuntimeException e) {
            throw new RequestFailure.BackendUnavailable(settings.describe() + "'s discovery of " + groupVersion
                    + " is not an APIResourceList");
        }
        List<JsonObject> resources = new ArrayList<>();
        for (int i = 0; i < listed.size() && resources.size() < MAX_RESOURCES; i++) {
            if (listed.getValue(i) instanceof JsonObject resource && resource.getValue("name") instanceof String name
                    && !name.isEmpty() && !name.equals("externalmetrics") && !name.equals("custommetrics")) {
                resources.add(resource);
            }
        }
        if (discoveryProblems.remove(groupVersion) != null) {
            LOG.info("{}: discovery of {} read again ({} metrics)", settings.describe(), groupVersion, resources.size());
        }
        return resources;
    }

    private void logOnce(String groupVersion, String problem) {
        if (discoveryProblems.put(groupVersion, problem) == null) {
            LOG.warn("{}: cannot read its discovery of {}: {}; its last list is kept", settings.describe(),
                    groupVersion, problem);
        }
    }

    private String describe(Throwable error) {
        if (error instanceof TimeoutException || String.valueOf(error.getMessage()).contains("timeout")) {
            return "no answer within " + settings.timeout().toMillis() + " ms";
        }
        return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    }
}
