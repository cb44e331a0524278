package io.demandmetrics.adapter.crd;

import io.demandmetrics.adapter.config.MetricDefinition;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One DemandMetric as read: which resource it is, and the metric it defines or every problem
 * that keeps it from being served.
 *
 * @param id the resource (namespace, name, uid, generation, creation time)
 * @param definition the metric; null when {@code problems} is not empty
 * @param problems what is wrong with its spec, all of it; empty when it is valid
 * @param credentials the files of the Secret keys it names (written for it)
 */
record TeamMetric(ResourceId id, MetricDefinition definition, List<String> problems, Set<Path> credentials) {

    TeamMetric {
        problems = List.copyOf(problems);
        credentials = Set.copyOf(credentials);
    }

    /** A DemandMetric resource, as its status names what it observed. */
    record ResourceId(String namespace, String name, String uid, long generation, Instant created,
                      String resourceVersion) {

        @Override
        public String toString() {
            return namespace + "/" + name;
        }
    }
}
