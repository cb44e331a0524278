package io.demandmetrics.adapter.metrics;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The JVM's meters ({@code jvm_*}, {@code process_*}, {@code system_*}): the ones
 * vertx-micrometer-metrics binds, except that garbage collections are read from the
 * collectors' own totals when scraped instead of from a notification per collection.
 *
 * <p>Why: Micrometer's {@code JvmGcMetrics} and {@code JvmHeapPressureMetrics} listen to
 * every collection, and the JVM builds a {@code GcInfo} (memory usage of every pool, before
 * and after) for each on its notification thread. Serving 150,000 requests a second takes about
 * fifty young collections a second, and that work cost the metric route 2-3 % of its CPU
 * ({@code bench/profile-route}, "GC notifications"). The totals say what an operator needs
 * (how often, how long in all) at no cost per collection; the names are Micrometer's, so
 * dashboards reading {@code jvm_gc_pause_seconds_count} and {@code _sum} keep working. What is
 * lost: the per-collection maximum and the {@code action} and {@code cause} labels.
 */
public final class JvmMeters {

    /** Held here: Micrometer's function meters keep only a weak reference to what they read. */
    private static final List<GarbageCollectorMXBean> COLLECTORS = ManagementFactory.getGarbageCollectorMXBeans();

    private JvmMeters() {
    }

    public static void bindTo(MeterRegistry registry) {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmCompilationMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        for (GarbageCollectorMXBean collector : COLLECTORS) {
            FunctionTimer.builder("jvm.gc.pause", collector, c -> Math.max(0, c.getCollectionCount()),
                            c -> Math.max(0, c.getCollectionTime()), TimeUnit.MILLISECONDS)
                    .description("Time spent in garbage collection, by collector (read from its totals)")
                    .tag("gc", collector.getName())
                    .register(registry);
        }
    }
}
