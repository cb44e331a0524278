package io.demandmetrics.adapter.crd;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.config.ConfigParser;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A DemandMetric's spec read as a config entry, with the rules that keep a team to its own
 * namespace: the metric lives in the resource's namespace (the spec cannot name another), a
 * custom metric describes objects of a namespaced resource (so objects in that namespace), and
 * no parameter names a file: files are the adapter's (its service-account token, its keys),
 * not a team's to read.
 */
final class TeamMetricReader {

    /** The spec's fields, beside the entry fields they become. */
    private static final List<String> SPEC_FIELDS = List.of("metricName", "type", "describes", "object", "parameters",
            "pollInterval", "timeout", "maxAge", "fallback", "lead");

    private TeamMetricReader() {
    }

    static TeamMetric read(GenericKubernetesResource resource, ConfigParser parser) {
        TeamMetric.ResourceId id = id(resource);
        List<String> problems = new ArrayList<>();
        Object spec = resource.getAdditionalProperties().get("spec");
        if (!(spec instanceof Map<?, ?> fields)) {
            return new TeamMetric(id, null, List.of("spec is missing or not an object"));
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        for (Map.Entry<?, ?> field : fields.entrySet()) {
            String name = String.valueOf(field.getKey());
            if (!SPEC_FIELDS.contains(name)) {
                problems.add("unknown field spec." + name + "; known: " + SPEC_FIELDS);
            } else if (!name.equals("metricName")) {
                entry.put(name, field.getValue());
            }
        }
        entry.put("name", fields.get("metricName") != null ? fields.get("metricName") : id.name());
        entry.put("namespace", id.namespace());
        problems.addAll(tenancy(fields));
        ConfigParser.Entry parsed = parser.parseEntry(entry);
        parsed.problems().forEach(problem -> problems.add(problem.replace("field \"", "field \"spec.")));
        return problems.isEmpty() ? new TeamMetric(id, parsed.definition(), List.of())
                : new TeamMetric(id, null, problems);
    }

    /** What a team may not ask of the adapter, whatever the scaler accepts. */
    private static List<String> tenancy(Map<?, ?> spec) {
        List<String> problems = new ArrayList<>();
        Object describes = spec.get("describes");
        if (describes instanceof String name && !name.equals("external")) {
            KubernetesResource.byName(name).filter(resource -> !resource.namespaced()).ifPresent(resource ->
                    problems.add("spec.describes " + name + " is cluster-scoped; a DemandMetric describes objects in"
                            + " its own namespace"));
        }
        if (spec.get("parameters") instanceof Map<?, ?> parameters) {
            files("spec.parameters", parameters, problems);
        }
        return problems;
    }

    /** Every parameter, at any depth, that names a file of the adapter's. */
    private static void files(String path, Map<?, ?> parameters, List<String> problems) {
        for (Map.Entry<?, ?> parameter : parameters.entrySet()) {
            String name = path + "." + parameter.getKey();
            if (String.valueOf(parameter.getKey()).endsWith("File")) {
                problems.add(name + " names a file in the adapter's container; a DemandMetric may not read the"
                        + " adapter's files (its service-account token, its keys)");
            } else if (parameter.getValue() instanceof Map<?, ?> nested) {
                files(name, nested, problems);
            }
        }
    }

    private static TeamMetric.ResourceId id(GenericKubernetesResource resource) {
        var metadata = resource.getMetadata();
        Instant created;
        try {
            created = metadata.getCreationTimestamp() == null ? Instant.EPOCH
                    : Instant.parse(metadata.getCreationTimestamp());
        } catch (DateTimeParseException e) {
            created = Instant.EPOCH;
        }
        return new TeamMetric.ResourceId(metadata.getNamespace(), metadata.getName(), metadata.getUid(),
                metadata.getGeneration() == null ? 0 : metadata.getGeneration(), created,
                metadata.getResourceVersion());
    }
}
