package io.demandmetrics.adapter.crd;

import io.demandmetrics.adapter.config.ConfigParser;
import io.demandmetrics.adapter.config.MetricDefinition;
import io.demandmetrics.adapter.config.MetricKey;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The DemandMetrics of the cluster, as the informer last saw them, and what each one became at
 * the last config turn: a metric served, or refused with every reason (its spec's problems, or a
 * name already defined by the config file or by an older DemandMetric).
 */
public final class TeamMetrics {

    /** What a DemandMetric became at the last turn. */
    public record Outcome(TeamMetric metric, MetricKey servedAs, List<String> problems, String reason) {

        public Outcome {
            problems = List.copyOf(problems);
        }

        boolean served() {
            return servedAs != null;
        }
    }

    /**
     * What was read of a resource version with a parser and (for a spec that names Secrets) the
     * Secrets as they were: read again only when one of them changes.
     */
    private record Read(String resourceVersion, ConfigParser parser, long secretsVersion, TeamMetric metric) {
    }

    /** For a spec that names no Secret: no Secret's change reads it again. */
    private static final long NO_SECRETS = -1;

    /** Where credentials come from; null for an adapter that reads no Secrets. */
    private final TeamSecrets secrets;
    private final TeamReach reach;

    /** By uid: the resources the informer holds. */
    private final Map<String, GenericKubernetesResource> resources = new ConcurrentHashMap<>();
    /** By uid; used only in turns. */
    private final Map<String, Read> reads = new HashMap<>();
    private volatile Map<String, Outcome> outcomes = Map.of();
    private volatile Map<MetricKey, Outcome> byKey = Map.of();

    /** DemandMetrics that may not name Secrets (such a spec is refused) nor call beyond their namespace. */
    public TeamMetrics() {
        this(null, List.of(), Set.of());
    }

    /**
     * @param secrets where the credentials DemandMetrics name are read from
     * @param destinations hosts beyond their namespaces DemandMetrics may call ({@link TeamReach})
     * @param pluginTypes scaler types beyond the built-in ones DemandMetrics may use
     */
    public TeamMetrics(TeamSecrets secrets, List<String> destinations, Set<String> pluginTypes) {
        this.secrets = secrets;
        this.reach = new TeamReach(destinations, pluginTypes);
    }

    /** The informer saw {@code resource} added or changed. */
    void put(GenericKubernetesResource resource) {
        resources.put(resource.getMetadata().getUid(), resource);
    }

    /** The informer saw {@code resource} deleted. */
    void remove(GenericKubernetesResource resource) {
        resources.remove(resource.getMetadata().getUid());
    }

    /**
     * Every DemandMetric's metric that can be served beside the config file's: read with
     * {@code parser} (again only for a resource version or parser not read before), valid, and
     * not defined by the file or by an older DemandMetric. Runs in a config turn, on a worker;
     * the outcomes it records are what {@link #outcomes()} answers from then on.
     *
     * @param fileKeys the metrics the config file defines
     */
    public List<MetricDefinition> definitions(ConfigParser parser, Set<MetricKey> fileKeys) {
        List<TeamMetric> current = new ArrayList<>();
        Map<String, Read> nextReads = new HashMap<>();
        long secretsVersion = secrets == null ? 0 : secrets.version();
        Set<String> namespacesNamingSecrets = new HashSet<>();
        Set<Path> credentials = new HashSet<>();
        if (secrets != null) {
            // The namespaces' first lists at once, before the reads below ask for files one by one.
            secrets.watchAll(resources.values().stream().filter(TeamMetricReader::namesSecrets)
                    .map(resource -> resource.getMetadata().getNamespace()).collect(Collectors.toSet()));
        }
        for (GenericKubernetesResource resource : resources.values()) {
            String uid = resource.getMetadata().getUid();
            Read read = reads.get(uid);
            if (read == null || read.parser() != parser
                    || !read.resourceVersion().equals(resource.getMetadata().getResourceVersion())
                    || read.secretsVersion() != NO_SECRETS && read.secretsVersion() != secretsVersion) {
                boolean namesSecrets = TeamMetricReader.namesSecrets(resource);
                read = new Read(resource.getMetadata().getResourceVersion(), parser,
                        namesSecrets ? secretsVersion : NO_SECRETS, TeamMetricReader.read(resource, parser,
                        secrets == null ? TeamMetricReader.NO_SECRETS : secrets::file, reach));
            }
            nextReads.put(uid, read);
            current.add(read.metric());
            if (read.secretsVersion() != NO_SECRETS) {
                namespacesNamingSecrets.add(read.metric().id().namespace());
            }
            credentials.addAll(read.metric().credentials());
        }
        reads.clear();
        reads.putAll(nextReads);
        if (secrets != null) {
            secrets.retain(namespacesNamingSecrets, credentials);
        }
        // The oldest definition of a name wins, as the first of a file's does; ties by uid.
        current.sort(Comparator.comparing((TeamMetric m) -> m.id().created()).thenComparing(m -> m.id().uid()));
        Map<String, Outcome> nextOutcomes = new LinkedHashMap<>();
        Map<MetricKey, Outcome> nextByKey = new HashMap<>();
        List<MetricDefinition> served = new ArrayList<>();
        for (TeamMetric metric : current) {
            Outcome outcome;
            if (metric.definition() == null) {
                outcome = new Outcome(metric, null, metric.problems(), "InvalidSpec");
            } else if (fileKeys.contains(metric.definition().key())) {
                outcome = new Outcome(metric, null, List.of(metric.definition().describe()
                        + " is defined in the adapter's config file, which wins"), "NameConflict");
            } else if (nextByKey.containsKey(metric.definition().key())) {
                outcome = new Outcome(metric, null, List.of(metric.definition().describe()
                        + " is defined by DemandMetric " + nextByKey.get(metric.definition().key()).metric().id()
                        + ", which is older"), "NameConflict");
            } else {
                outcome = new Outcome(metric, metric.definition().key(), List.of(), "Served");
                nextByKey.put(metric.definition().key(), outcome);
                served.add(metric.definition());
            }
            nextOutcomes.put(metric.id().uid(), outcome);
        }
        outcomes = Map.copyOf(nextOutcomes);
        byKey = Map.copyOf(nextByKey);
        return served;
    }

    /** The resource with {@code uid} as the informer last saw it; null once deleted. */
    GenericKubernetesResource resource(String uid) {
        return resources.get(uid);
    }

    /** By uid: what each DemandMetric became at the last turn. */
    public Map<String, Outcome> outcomes() {
        return outcomes;
    }

    /** The DemandMetric that defines {@code key}; null for a metric of the config file. */
    public Outcome definedBy(MetricKey key) {
        return byKey.get(key);
    }
}
