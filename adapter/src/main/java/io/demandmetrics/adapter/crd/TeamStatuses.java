package io.demandmetrics.adapter.crd;

import io.demandmetrics.adapter.api.Quantity;
import io.demandmetrics.adapter.objects.ApiCallDeadline;
import io.demandmetrics.adapter.failure.Causes;
import io.demandmetrics.adapter.store.Catalog;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.adapter.store.Ownership;
import io.demandmetrics.adapter.store.PollListener;
import io.demandmetrics.adapter.store.Reading;
import io.demandmetrics.scaler.spi.Sample;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each DemandMetric's status: conditions {@code Invalid} (every problem), {@code Ready} (served)
 * and {@code Stale} (no value newer than maxAge), the last error, the generation observed, and
 * the value at that moment. Written only when one of those conditions, the error or the
 * generation changes, never per poll: the value in the status is the one served when it last
 * changed (the metrics API and {@code /explain} have the live one). With replicas sharing the
 * polling, a status is written by one replica: the one that polls the metric (for a resource
 * that defines none, the holder of its name's bucket). Writes are paced
 * ({@link PacedWrites}): at most {@code --status-writes-per-second}, and at most
 * {@link #WRITES_IN_FLIGHT} at a time, on worker threads of their own: on the pool that reviews
 * tokens and access, a slow API server kept thousands of queued status writes ahead of the
 * reviews of HPAs' requests, which failed at their deadline while the first pass lasted.
 */
public final class TeamStatuses implements PollListener {

    private static final Logger LOG = LoggerFactory.getLogger(TeamStatuses.class);
    /** A message longer than this is cut: the status is for people, {@code /explain} has the rest. */
    private static final int MAX_MESSAGE = 4_000;
    /** Status writes in flight at most (and the threads that make them). */
    static final int WRITES_IN_FLIGHT = 8;
    /**
     * The longest one write may hold its thread: the client's own timeout ends an answer that never
     * starts, not one that stops midway, and eight stalled writes would stop every status for good.
     */
    private static final Duration WRITE_DEADLINE = Duration.ofSeconds(30);

    /** The part of a status that decides whether it is written again (not the value, not times). */
    private record Decisive(long generation, List<Condition> conditions, String lastError) {
    }

    private record Condition(String type, String status, String reason, String message) {
    }

    private final KubernetesClient kubernetes;
    private final WorkerExecutor worker;
    private final Clock clock;
    private final TeamMetrics team;
    private final Ownership ownership;
    private final Counter writes;
    private final Counter writeFailures;
    private final PacedWrites paced;
    /** By uid: the last status this replica wrote (dropped once the resource is gone). */
    private final Map<String, Decisive> written = new ConcurrentHashMap<>();
    private final Set<String> failuresLogged = ConcurrentHashMap.newKeySet();

    /**
     * @param ownership whether this replica polls a metric, and so writes its status
     * @param writesPerSecond status writes started a second at most ({@link PacedWrites})
     */
    public TeamStatuses(KubernetesClient kubernetes, Vertx vertx, int writesPerSecond, Clock clock, TeamMetrics team,
                        Ownership ownership, MeterRegistry registry) {
        this.kubernetes = kubernetes;
        this.paced = new PacedWrites(vertx, writesPerSecond, WRITES_IN_FLIGHT);
        this.worker = vertx.createSharedWorkerExecutor("demandmetric-status-writes", WRITES_IN_FLIGHT);
        this.clock = clock;
        this.team = team;
        this.ownership = ownership;
        this.writes = Counter.builder("demand_adapter_demandmetric_status_writes")
                .description("DemandMetric status updates written (one per change of its conditions, error or"
                        + " generation)").register(registry);
        this.writeFailures = Counter.builder("demand_adapter_demandmetric_status_write_failures")
                .description("DemandMetric status updates the API server refused or did not answer").register(registry);
        Gauge.builder("demand_adapter_demandmetric_status_writes_waiting", paced, PacedWrites::waiting)
                .description("DemandMetric status updates waiting for their turn (--status-writes-per-second, or"
                        + " " + WRITES_IN_FLIGHT + " in flight)").register(registry);
    }

    /** A poll ended: the metric's health may have changed. */
    @Override
    public void polled(MetricState state, long nanos, boolean failed) {
        TeamMetrics.Outcome outcome = team.definedBy(state.definition().key());
        if (outcome != null) {
            refresh(outcome, state);
        }
    }

    /** After a config turn that {@code current} serves: every DemandMetric's status, written where it changed. */
    public void refreshAll(Catalog current) {
        Set<String> present = team.outcomes().keySet();
        written.keySet().retainAll(present);
        paced.retainOnly(present);
        for (TeamMetrics.Outcome outcome : team.outcomes().values()) {
            refresh(outcome, outcome.served() ? current.state(outcome.servedAs()) : null);
        }
    }

    private void refresh(TeamMetrics.Outcome outcome, MetricState state) {
        TeamMetric.ResourceId id = outcome.metric().id();
        if (!writesStatusOf(outcome.metric(), state)) {
            forget(id.uid()); // another replica writes it; should this one again, the resource says what it has
            return;
        }
        Decisive desired = decisive(outcome, state);
        GenericKubernetesResource seen = team.resource(id.uid());
        if (desired.equals(written.get(id.uid())) || seen == null) {
            return; // written, or waiting for its turn; or the resource is gone
        }
        if (desired.equals(decisiveOf(seen))) {
            forget(id.uid()); // what the resource says already: a write still waiting is overtaken
            return;
        }
        written.put(id.uid(), desired);
        // A JSON patch that sets the whole status: a merge patch would be the same on an API server,
        // but the conditions are one list, replaced whole, whatever a server does with lists.
        JsonArray patch = new JsonArray().add(new JsonObject().put("op", "add").put("path", "/status")
                .put("value", statusJson(desired, seen, state)));
        paced.submit(id.uid(), () -> write(id, desired, patch));
    }

    /**
     * Drops what this replica wrote last of a status and the write still waiting for it, so the
     * next change is judged against the resource itself.
     */
    private void forget(String uid) {
        written.remove(uid);
        paced.cancel(uid);
    }

    private Future<Void> write(TeamMetric.ResourceId id, Decisive desired, JsonArray patch) {
        return worker.<Void>executeBlocking(() -> {
            // Patched through the resource named, not withName(): fabric8 patches an item, and without
            // one it first GETs the resource, a second request per write that a JSON patch does not need.
            return ApiCallDeadline.within(WRITE_DEADLINE, () -> {
                kubernetes.genericKubernetesResources(DemandMetricWatch.DEMAND_METRICS).inNamespace(id.namespace())
                        .resource(named(id)).subresource("status")
                        .patch(PatchContext.of(PatchType.JSON), patch.encode());
                return null;
            });
        }, false).onSuccess(ignored -> {
            writes.increment();
            failuresLogged.remove(id.uid());
        }).onFailure(failure -> {
            writeFailures.increment();
            written.remove(id.uid(), desired); // the next change or turn tries again
            if (interrupted(failure)) {
                // The adapter is stopping: the write is lost with it, and written again by the next owner.
                LOG.debug("status write of DemandMetric {} interrupted", id);
            } else if (failuresLogged.add(id.uid())) {
                LOG.warn("cannot write the status of DemandMetric {}: {}", id, cause(failure));
            }
        }).mapEmpty();
    }

    /** A DemandMetric with only its name: what a patch's request needs of the resource. */
    private static GenericKubernetesResource named(TeamMetric.ResourceId id) {
        GenericKubernetesResource resource = new GenericKubernetesResource();
        resource.setApiVersion(DemandMetricWatch.DEMAND_METRICS.getGroup() + "/"
                + DemandMetricWatch.DEMAND_METRICS.getVersion());
        resource.setKind(DemandMetricWatch.DEMAND_METRICS.getKind());
        resource.setMetadata(new ObjectMetaBuilder().withNamespace(id.namespace()).withName(id.name()).build());
        return resource;
    }

    private static boolean interrupted(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    /** The API server's answer, or (none came) why the request failed. */
    private static String cause(Throwable failure) {
        if (failure instanceof KubernetesClientException refused && refused.getCode() > 0) {
            return "HTTP " + refused.getCode() + " " + refused.getMessage();
        }
        Throwable root = Causes.root(failure);
        return root == failure ? String.valueOf(failure.getMessage())
                : failure.getMessage() + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }

    /**
     * With replicas sharing the polling, one replica writes each status: the one that polls the
     * metric, or, for a resource that defines none (invalid), the holder of its name's bucket.
     */
    private boolean writesStatusOf(TeamMetric metric, MetricState state) {
        if (state != null) {
            return ownership.polls(state.definition());
        }
        if (metric.definition() != null) {
            return ownership.polls(metric.definition());
        }
        return ownership.holds("demandmetric:" + metric.id().namespace() + "/" + metric.id().name());
    }

    private Decisive decisive(TeamMetrics.Outcome outcome, MetricState state) {
        long generation = outcome.metric().id().generation();
        if (!outcome.served()) {
            String problems = bounded(String.join("; ", outcome.problems()));
            return new Decisive(generation, List.of(
                    new Condition("Ready", "False", outcome.reason(), "not served: " + problems),
                    new Condition("Invalid", "True", outcome.reason(), problems)), null);
        }
        if (state == null) {
            return new Decisive(generation, List.of(new Condition("Ready", "Unknown", "Applying", "being applied"),
                    new Condition("Invalid", "False", "Valid", "")), null);
        }
        MetricState.Status status = state.status(clock.instant());
        MetricState.Health health = status.health();
        boolean served = health == MetricState.Health.OK || health == MetricState.Health.LAST_GOOD
                || health == MetricState.Health.FALLBACK;
        boolean stale = health == MetricState.Health.STALE || health == MetricState.Health.FALLBACK;
        String reason = switch (health) {
            case OK -> "Serving";
            case LAST_GOOD -> "LastGood";
            case FALLBACK -> "Fallback";
            case STALE -> "Stale";
            case WAITING -> "Waiting";
            case FAILING -> "Failing";
        };
        String error = status.failure() == null ? null : bounded(status.failure().message());
        return new Decisive(generation, List.of(
                new Condition("Ready", served ? "True" : "False", reason, health.description()),
                new Condition("Invalid", "False", "Valid", ""),
                new Condition("Stale", stale ? "True" : "False", stale ? reason : "Fresh",
                        stale ? "no value newer than maxAge " + state.definition().maxAge().toSeconds() + "s" : "")),
                error);
    }

    /** What the resource's status says now, as far as {@link Decisive} goes; null without one. */
    private static Decisive decisiveOf(GenericKubernetesResource resource) {
        if (!(resource.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
            return null;
        }
        JsonObject json = new JsonObject(castMap(status));
        JsonArray conditions = json.getJsonArray("conditions", new JsonArray());
        List<Condition> read = conditions.stream().filter(JsonObject.class::isInstance).map(JsonObject.class::cast)
                .map(c -> new Condition(c.getString("type"), c.getString("status"), c.getString("reason"),
                        c.getString("message", ""))).toList();
        Number generation = json.getNumber("observedGeneration");
        return new Decisive(generation == null ? -1 : generation.longValue(), read, json.getString("lastError"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    private JsonObject statusJson(Decisive desired, GenericKubernetesResource seen, MetricState state) {
        JsonArray conditions = new JsonArray();
        String now = clock.instant().toString();
        for (Condition condition : desired.conditions()) {
            // A condition keeps its transition time while its status stays.
            String since = transitionTime(seen, condition.type(), condition.status());
            conditions.add(new JsonObject().put("type", condition.type()).put("status", condition.status())
                    .put("reason", condition.reason()).put("message", condition.message())
                    .put("lastTransitionTime", since != null ? since : now)
                    .put("observedGeneration", desired.generation()));
        }
        JsonObject status = new JsonObject().put("observedGeneration", desired.generation())
                .put("conditions", conditions).put("lastError", desired.lastError());
        Reading reading = state == null ? null : state.reading();
        if (reading != null) {
            double total = 0;
            for (Sample sample : reading.samples()) {
                total += sample.value();
            }
            status.put("value", Quantity.format(total)).put("valueTime", reading.fetchedAt().toString());
        } else {
            status.putNull("value").putNull("valueTime");
        }
        return status;
    }

    /** When the resource's condition {@code type} last became {@code status}; null when it is not that now. */
    private static String transitionTime(GenericKubernetesResource seen, String type, String status) {
        if (seen.getAdditionalProperties().get("status") instanceof Map<?, ?> current
                && current.get("conditions") instanceof List<?> conditions) {
            for (Object item : conditions) {
                if (item instanceof Map<?, ?> condition && Objects.equals(condition.get("type"), type)
                        && Objects.equals(condition.get("status"), status)
                        && condition.get("lastTransitionTime") instanceof String time) {
                    return time;
                }
            }
        }
        return null;
    }

    private static String bounded(String message) {
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "...";
    }
}
