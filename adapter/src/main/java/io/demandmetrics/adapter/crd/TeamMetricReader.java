package io.demandmetrics.adapter.crd;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.config.ConfigParser;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A DemandMetric's spec read as a config entry, with the rules that keep a team to its own
 * namespace: the metric lives in the resource's namespace (the spec cannot name another), a
 * custom metric describes objects of a namespaced resource (so objects in that namespace), and
 * no parameter names a file or an environment variable: those are the adapter's (its
 * service-account token, its keys, its cloud credentials), not a team's to read. Credentials come from Secrets of the resource's namespace instead:
 * where the config file has {@code <x>File: <path>}, a DemandMetric has
 * {@code <x>FromSecret: {name: <Secret>, key: <key>}}, read as {@code <x>File} naming the key's
 * file ({@link TeamSecrets}).
 */
final class TeamMetricReader {

    /** The file holding a key of a Secret of a namespace, or why there is none. */
    @FunctionalInterface
    interface SecretKeyFiles {
        TeamSecrets.Resolved file(String namespace, String name, String key);
    }

    /** For an adapter that reads no Secrets. */
    static final SecretKeyFiles NO_SECRETS = (namespace, name, key) -> new TeamSecrets.Resolved(null,
            "this adapter reads no Secrets");

    private static final String FROM_SECRET = "FromSecret";

    /** The spec's fields, beside the entry fields they become. */
    private static final List<String> SPEC_FIELDS = List.of("metricName", "type", "describes", "object", "parameters",
            "pollInterval", "timeout", "maxAge", "fallback", "lead");

    private TeamMetricReader() {
    }

    static TeamMetric read(GenericKubernetesResource resource, ConfigParser parser) {
        return read(resource, parser, NO_SECRETS, TeamReach.CLOSED);
    }

    /**
     * @param secrets where the credentials the spec names are found
     * @param reach where its scaler may call out
     */
    static TeamMetric read(GenericKubernetesResource resource, ConfigParser parser, SecretKeyFiles secrets,
                           TeamReach reach) {
        TeamMetric.ResourceId id = id(resource);
        List<String> problems = new ArrayList<>();
        Object spec = resource.getAdditionalProperties().get("spec");
        if (!(spec instanceof Map<?, ?> fields)) {
            return new TeamMetric(id, null, List.of("spec is missing or not an object"), Set.of());
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
        Set<Path> credentials = new HashSet<>();
        Map<?, ?> parameters = fields.get("parameters") instanceof Map<?, ?> given ? given : Map.of();
        Set<String> unresolved = new HashSet<>();
        Map<String, Object> resolved = withCredentials("spec.parameters", parameters, id.namespace(), secrets,
                problems, credentials, unresolved);
        problems.addAll(reach.check(fields.get("type"), id.namespace(), parameters, resolved));
        if (fields.get("parameters") instanceof Map<?, ?>) {
            entry.put("parameters", resolved);
        }
        ConfigParser.Entry parsed = parser.parseEntry(entry);
        for (String problem : parsed.problems()) {
            // That a credential it needs is missing: said above, as the Secret's problem.
            if (unresolved.stream().noneMatch(file -> problem.contains(file + "\""))) {
                problems.add(problem.replace("field \"", "field \"spec."));
            }
        }
        return problems.isEmpty() ? new TeamMetric(id, parsed.definition(), List.of(), credentials)
                : new TeamMetric(id, null, problems, credentials);
    }

    /** Whether the spec takes a credential from a Secret (then a changed Secret means reading it again). */
    static boolean namesSecrets(GenericKubernetesResource resource) {
        return resource.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
                && spec.get("parameters") instanceof Map<?, ?> parameters && namesSecrets(parameters);
    }

    private static boolean namesSecrets(Map<?, ?> parameters) {
        for (Map.Entry<?, ?> parameter : parameters.entrySet()) {
            if (String.valueOf(parameter.getKey()).endsWith(FROM_SECRET)
                    || parameter.getValue() instanceof Map<?, ?> nested && namesSecrets(nested)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code parameters} with every {@code <x>FromSecret: {name, key}}, at any depth, replaced by
     * {@code <x>File} naming the key's file; what cannot be resolved lands in {@code problems} (and
     * its {@code <x>File} in {@code unresolved}), the files named in {@code files}.
     */
    private static Map<String, Object> withCredentials(String path, Map<?, ?> parameters, String namespace,
                                                       SecretKeyFiles secrets, List<String> problems, Set<Path> files,
                                                       Set<String> unresolved) {
        Map<String, Object> resolved = new LinkedHashMap<>();
        for (Map.Entry<?, ?> parameter : parameters.entrySet()) {
            String name = String.valueOf(parameter.getKey());
            String where = path + "." + name;
            if (!name.endsWith(FROM_SECRET)) {
                resolved.put(name, parameter.getValue() instanceof Map<?, ?> nested
                        ? withCredentials(where, nested, namespace, secrets, problems, files, unresolved)
                        : parameter.getValue());
                continue;
            }
            String base = name.substring(0, name.length() - FROM_SECRET.length());
            unresolved.add(base + "File"); // until resolved below
            if (!(parameter.getValue() instanceof Map<?, ?> reference) || !(reference.get("name") instanceof String secret)
                    || !(reference.get("key") instanceof String key) || base.isEmpty()) {
                problems.add(where + " must be {name: <a Secret of namespace " + namespace + ">, key: <one of its"
                        + " keys>}" + (base.isEmpty() ? " and follow the parameter it gives (e.g. passwordFromSecret for"
                        + " passwordFile)" : ""));
                continue;
            }
            if (reference.containsKey("namespace") || reference.size() != 2) {
                problems.add(where + " has fields other than name and key; a DemandMetric takes credentials from"
                        + " Secrets of its own namespace (" + namespace + ") only");
                continue;
            }
            TeamSecrets.Resolved file = secrets.file(namespace, secret, key);
            if (file.problem() != null) {
                problems.add(where + ": " + file.problem());
            } else {
                resolved.put(base + "File", file.file().toString());
                files.add(file.file());
                unresolved.remove(base + "File");
            }
        }
        return resolved;
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

    /** Every parameter, at any depth, that names a file or an environment variable of the adapter's. */
    private static void files(String path, Map<?, ?> parameters, List<String> problems) {
        for (Map.Entry<?, ?> parameter : parameters.entrySet()) {
            String name = path + "." + parameter.getKey();
            String key = String.valueOf(parameter.getKey());
            if (key.endsWith("File")) {
                problems.add(name + " names a file in the adapter's container; a DemandMetric may not read the"
                        + " adapter's files (its service-account token, its keys): use "
                        + key.substring(0, key.length() - "File".length()) + FROM_SECRET + " with a Secret of this"
                        + " namespace");
            } else if (key.endsWith("Env")) {
                problems.add(name + " names an environment variable of the adapter's; a DemandMetric may not read"
                        + " the adapter's environment: use " + key.substring(0, key.length() - "Env".length())
                        + FROM_SECRET + " with a Secret of this namespace");
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
