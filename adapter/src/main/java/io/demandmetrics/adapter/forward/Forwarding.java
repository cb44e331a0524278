package io.demandmetrics.adapter.forward;

import io.demandmetrics.adapter.config.ForwardBackend;
import io.demandmetrics.adapter.failure.RequestFailure;
import io.demandmetrics.scaler.support.BoundedQuote;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics this adapter does not serve, passed on to the adapters it displaced (the config's
 * {@code forward} list): which backend answers a metric, the request forwarded, and discovery
 * listing theirs beside ours. Only what reaches the handler is forwarded, so every forwarded
 * request has passed this adapter's authentication and authorization first; the backend is
 * asked as this adapter (its own token), and its answer is passed on, never kept.
 */
public final class Forwarding {

    private static final Logger LOG = LoggerFactory.getLogger(Forwarding.class);
    /** Conflicts (a name both serve) logged at most, each once. */
    private static final int MAX_CONFLICTS_LOGGED = 1_000;

    private final Vertx vertx;
    private final ClusterCa clusterCa;
    private final MeterRegistry registry;
    /** In config order; replaced whole by {@link #apply}. */
    private volatile List<Backend> backends = List.of();
    private final Set<String> conflictsLogged = ConcurrentHashMap.newKeySet();

    /**
     * @param clusterCa where the CAs of backends with {@code caFromAPIService} are read
     * @param registry where each backend's meters go ({@code demand_adapter_forward*})
     */
    public Forwarding(Vertx vertx, ClusterCa clusterCa, MeterRegistry registry) {
        this.vertx = vertx;
        this.clusterCa = clusterCa;
        this.registry = registry;
    }

    /** Forwarding to no one: every metric this adapter does not serve is its own 404. */
    public static Forwarding none() {
        return new Forwarding(null, ClusterCa.NONE, null);
    }

    /**
     * Switches to the config's backends: one whose settings did not change keeps its client and
     * discovery, the others are started, and removed ones closed.
     */
    public void apply(List<ForwardBackend> settings) {
        Map<ForwardBackend, Backend> running = new LinkedHashMap<>();
        backends.forEach(backend -> running.put(backend.settings(), backend));
        List<Backend> next = new ArrayList<>();
        for (ForwardBackend wanted : settings) {
            Backend kept = running.remove(wanted);
            if (kept == null) {
                kept = new Backend(vertx, wanted, clusterCa, registry);
                kept.start();
                LOG.info("forwarding {} metrics this adapter does not serve to {}", wanted.groups(), wanted.describe());
            }
            next.add(kept);
        }
        backends = List.copyOf(next);
        running.values().forEach(Backend::close);
    }

    /** Whether any backend is configured. */
    public boolean active() {
        return !backends.isEmpty();
    }

    /** Whether some backend serves {@code group}: then a metric this adapter does not serve is forwarded. */
    public boolean forwards(String group) {
        for (Backend backend : backends) {
            if (backend.serves(group)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Forwards a request for a metric this adapter does not serve: to the backend whose discovery
     * lists {@code resource}, or, when none does, to each backend of the group in config order
     * until one answers other than 404.
     *
     * @param groupVersion e.g. {@code external.metrics.k8s.io/v1beta1}
     * @param resource the metric's name as discovery lists it ({@code pods/http_requests}, or an
     *     external metric's name)
     * @param uri the request's path and query, as the client sent them
     */
    public Future<Forwarded> forward(String groupVersion, String resource, String uri, String accept) {
        String group = groupVersion.substring(0, groupVersion.indexOf('/'));
        List<Backend> candidates = new ArrayList<>();
        for (Backend backend : backends) {
            if (backend.serves(group) && backend.lists(groupVersion, resource)) {
                candidates.add(backend);
                break;
            }
        }
        if (candidates.isEmpty()) {
            backends.stream().filter(backend -> backend.serves(group)).forEach(candidates::add);
        }
        if (candidates.isEmpty()) {
            return Future.failedFuture(new RequestFailure.NoSuchResource());
        }
        return ask(candidates, 0, uri, accept);
    }

    private Future<Forwarded> ask(List<Backend> candidates, int at, String uri, String accept) {
        Backend backend = candidates.get(at);
        return backend.get(uri, accept).compose(answer -> {
            if (answer.status() == 404 && at + 1 < candidates.size()) {
                backend.counted(true);
                return ask(candidates, at + 1, uri, accept);
            }
            try {
                Forwarded usable = checked(backend, answer, accept);
                backend.counted(true);
                return Future.succeededFuture(usable);
            } catch (RequestFailure garbage) {
                backend.counted(false);
                return Future.failedFuture(garbage);
            }
        }, failure -> {
            backend.counted(false);
            return Future.failedFuture(failure);
        });
    }

    /**
     * The answer, if it is one a metrics API client can use: JSON that is a metric value list or
     * a Status, or another type the client asked for (protobuf); anything else (an HTML error
     * page, a proxy's text) is the backend's failure, a 503 naming it, not garbage passed on.
     */
    static Forwarded checked(Backend backend, Forwarded answer, String accept) {
        String type = answer.contentType() == null ? "" : answer.contentType().toLowerCase(java.util.Locale.ROOT);
        if (type.startsWith("application/json")) {
            try {
                Object kind = new JsonObject(answer.body()).getValue("kind");
                if (KINDS.contains(kind)) {
                    return answer;
                }
            } catch (RuntimeException notJson) {
                // garbage, below
            }
        } else if (!type.isEmpty() && accept != null
                && accept.toLowerCase(java.util.Locale.ROOT).contains(type.split(";", 2)[0].trim())) {
            return answer;
        }
        throw new RequestFailure.BackendUnavailable(backend.settings().describe() + " answered " + answer.status()
                + " with " + (type.isEmpty() ? "no content type" : BoundedQuote.quote(type))
                + ", not a metric value list or a Status");
    }

    private static final Set<Object> KINDS = Set.of("MetricValueList", "ExternalMetricValueList", "Status");

    /**
     * The discovery document of {@code groupVersion} with the backends' metrics after ours: ours
     * as it is when no backend lists anything else. A name both list is ours (the conflict is
     * logged once). Our document is spliced, not parsed: with thousands of metrics it is
     * megabytes, and this runs on the event loop.
     *
     * @param ours our document, whose {@code resources} array is its last field
     * @param ourNames the names it lists, placeholder excluded
     */
    public Buffer discovery(String groupVersion, Buffer ours, Set<String> ourNames) {
        List<Backend> current = backends;
        List<List<JsonObject>> lists = current.stream().map(backend -> backend.resources(groupVersion)).toList();
        Merged last = mergedByGroupVersion.get(groupVersion);
        if (last != null && last.ours() == ours && sameLists(last.theirs(), lists)) {
            return last.merged(); // nothing changed since: no copy of a document of megabytes per request
        }
        Buffer merged = merge(current, groupVersion, ours, ourNames);
        mergedByGroupVersion.put(groupVersion, new Merged(ours, lists, merged));
        return merged;
    }

    /** A merged document and what it was made from (compared by identity: lists are replaced, never changed). */
    private record Merged(Buffer ours, List<List<JsonObject>> theirs, Buffer merged) {
    }

    private final Map<String, Merged> mergedByGroupVersion = new ConcurrentHashMap<>();

    private static boolean sameLists(List<List<JsonObject>> a, List<List<JsonObject>> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    private Buffer merge(List<Backend> current, String groupVersion, Buffer ours, Set<String> ourNames) {
        List<JsonObject> theirs = new ArrayList<>();
        Set<String> added = new HashSet<>();
        for (Backend backend : current) {
            for (JsonObject resource : backend.resources(groupVersion)) {
                String name = resource.getString("name");
                if (ourNames.contains(name)) {
                    conflict(backend, groupVersion, name);
                } else if (added.add(name)) {
                    theirs.add(resource);
                }
            }
        }
        if (theirs.isEmpty()) {
            return ours;
        }
        return splice(ours, ourNames.isEmpty(), theirs);
    }

    /** {@code ours} with {@code theirs} appended to its resources array (replacing our placeholder if that is all it has). */
    static Buffer splice(Buffer ours, boolean placeholderOnly, List<JsonObject> theirs) {
        String text = ours.toString(StandardCharsets.UTF_8);
        int open = text.lastIndexOf("\"resources\":[");
        if (open < 0 || !text.endsWith("]}")) {
            throw new IllegalStateException("a discovery document whose resources array is not its last field");
        }
        StringBuilder merged = new StringBuilder(text.length() + theirs.size() * 128);
        if (placeholderOnly) {
            merged.append(text, 0, open + "\"resources\":[".length());
        } else {
            merged.append(text, 0, text.length() - 2).append(',');
        }
        for (int i = 0; i < theirs.size(); i++) {
            merged.append(i == 0 ? "" : ",").append(theirs.get(i).encode());
        }
        return Buffer.buffer(merged.append("]}").toString());
    }

    private void conflict(Backend backend, String groupVersion, String name) {
        String key = backend.settings().name() + " " + groupVersion + " " + name;
        if (conflictsLogged.size() < MAX_CONFLICTS_LOGGED && conflictsLogged.add(key)) {
            LOG.warn("{} also serves {} {}; this adapter serves it (its own metric wins)",
                    backend.settings().describe(), groupVersion, name);
        }
    }

    /**
     * The backends as the explain page shows them, in config order: each one's trust, discovery
     * and the names it lists that this adapter serves too (ours are served; the conflict is
     * logged once and listed here while it lasts).
     *
     * @param ours by group-version ({@code external.metrics.k8s.io/v1beta1}), the names this adapter lists
     */
    public JsonArray explain(Function<String, Set<String>> ours) {
        JsonArray entries = new JsonArray();
        backends.forEach(backend -> entries.add(backend.explain(ours)));
        return entries;
    }

    /** Closes every backend's client (the adapter stops). */
    public void close() {
        backends.forEach(Backend::close);
        backends = List.of();
    }
}
