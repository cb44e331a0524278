package io.demandmetrics.adapter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The JVM meters an operator reads, with collections counted from the collectors' totals. */
class JvmMetersTest {

    private static final Pattern COLLECTIONS = Pattern.compile("(?m)^jvm_gc_pause_seconds_count\\{gc=\"[^\"]+\"} (\\S+)$");

    @Test
    void collectionsAreCountedAndTheUsualJvmMetersAreThere() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        JvmMeters.bindTo(registry);
        double before = collections(registry.scrape());
        System.gc(); // a full collection, finished when this returns (no -XX:+ExplicitGCInvokesConcurrent here)
        String after = registry.scrape();
        assertThat(collections(after)).isGreaterThan(before);
        assertThat(after).contains("jvm_gc_pause_seconds_sum{gc=", "jvm_memory_used_bytes{", "jvm_threads_live_threads ",
                "jvm_classes_loaded_classes ", "process_cpu_usage ", "process_uptime_seconds ");
        assertThat(after).as("no per-collection notification meters").doesNotContain("jvm_gc_pause_seconds_max",
                "jvm_gc_memory_allocated");
    }

    private static double collections(String exposition) {
        double total = 0;
        Matcher matcher = COLLECTIONS.matcher(exposition);
        while (matcher.find()) {
            total += Double.parseDouble(matcher.group(1));
        }
        return total;
    }
}
