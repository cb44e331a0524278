package io.demandmetrics.adapter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Section 8 of bench/RESULTS.md, run by {@code bench/replicas}: adapter processes (the jar) in
 * a cluster (the Kubernetes mock) sharing {@code prometheus} metrics whose source, a query API
 * here, counts every query. Prints: queries per poll interval at 1 and at 3 replicas, each
 * replica's CPU, RSS and replication traffic, and after SIGKILL of one of three when its buckets
 * were taken over, when every query was asked again, and the longest any went unasked (default
 * Lease timings).
 *
 * <p>Usage: {@code ReplicasBench METRICS SECONDS}
 */
public final class ReplicasBench {

    private static final Duration INTERVAL = Duration.ofSeconds(5);
    /** Each replica's collector log, in its directory (printed per measurement: full collections). */
    private static final String GC_LOG = "gc.log";
    private static final String JAR = "adapter/target/demand-adapter.jar";
    /** The image's collector and free-ratio bounds (so RSS follows the live heap), with a fixed maximum. */
    private static final List<String> JVM = Stream.concat(BenchAdapter.imageJvmOptions().stream(),
            Stream.of("-Xms64m", "-Xmx256m")).toList();
    /**
     * The image's C allocator (the Dockerfile's LD_PRELOAD and MALLOC_CONF): jemalloc at the path
     * bench/replicas found on this machine ({@code -Dbench.jemalloc}), which decides much of the
     * memory the JVM does not count; glibc's malloc when that path is empty ({@code BENCH_MALLOC=glibc}).
     */
    private static final String JEMALLOC = System.getProperty("bench.jemalloc", "");
    private static final Map<String, String> IMAGE_ALLOCATOR = JEMALLOC.isEmpty() ? Map.of()
            : Map.of("LD_PRELOAD", JEMALLOC, "MALLOC_CONF", "background_thread:true");
    /** {@code BENCH_NMT=1}: replicas run with native memory tracking, and each measurement says where their memory is. */
    private static final boolean NMT = "1".equals(System.getenv("BENCH_NMT"));
    /** {@code BENCH_CLASSES=N} (with {@code BENCH_NMT=1}): the N classes holding the most live heap, per replica. */
    private static final int TOP_CLASSES = Integer.parseInt(System.getenv().getOrDefault("BENCH_CLASSES", "0"));
    /** {@code BENCH_JVM="-XX:..."}: options after {@link #JVM} for every replica (a flag tried against the image's). */
    private static final List<String> MORE_JVM = BenchAdapter.spaceSeparated(System.getenv().getOrDefault("BENCH_JVM", ""));
    private final int metrics;
    private final Path dir;
    private final MockCluster cluster;
    private final CountingPrometheus prometheus;

    private ReplicasBench(int metrics, Path dir) throws Exception {
        this.metrics = metrics;
        this.dir = dir;
        this.cluster = new MockCluster();
        this.prometheus = new CountingPrometheus();
        StringBuilder config = new StringBuilder("metrics:\n");
        for (int i = 0; i < metrics; i++) {
            config.append("  - {name: m").append(i).append(", namespace: team-").append(i % 10)
                    .append(", type: prometheus, pollInterval: ").append(INTERVAL.toSeconds()).append("s,")
                    .append(" parameters: {serverAddress: \"").append(prometheus.url())
                    .append("\", query: demand_").append(i).append("}}\n");
        }
        Files.writeString(dir.resolve("config.yaml"), config);
        ReplicaProcess.prepare(cluster, dir);
    }

    private ReplicaProcess start(String name) throws Exception {
        return startReplica(cluster, dir, name);
    }

    /** A replica as both replica benchmarks run it: the jar, {@link #JVM}, 32 buckets, default Lease timings. */
    static ReplicaProcess startReplica(MockCluster cluster, Path dir, String name) throws Exception {
        List<String> jvm = new ArrayList<>(JVM);
        jvm.addAll(MORE_JVM);
        jvm.add("-Xlog:gc:file=" + dir.resolve(name).resolve(GC_LOG) + ":uptime");
        if (NMT) {
            jvm.add("-XX:NativeMemoryTracking=summary");
        }
        return ReplicaProcess.start(cluster, dir, name, JAR, jvm, List.of("--replica-buckets", "32"), IMAGE_ALLOCATOR);
    }

    /**
     * From one replica to three: {@code alone} is killed, its Leases deleted (so the three start
     * from free buckets, not after they lapse), and three replicas started until they share them.
     */
    static List<ReplicaProcess> threeInsteadOf(ReplicaProcess alone, MockCluster cluster, Path dir) throws Exception {
        alone.kill();
        try {
            cluster.admin.leases().inNamespace("adapters").delete();
        } catch (RuntimeException e) {
            System.out.println("   (the Leases of the single replica lapse instead: " + e.getMessage() + ")");
        }
        List<ReplicaProcess> three = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            three.add(startReplica(cluster, dir, "replica-" + i));
        }
        awaitShared(three);
        return three;
    }

    /** Until the live replicas hold all 32 buckets between them and each sees the others. */
    static void awaitShared(List<ReplicaProcess> live) {
        try {
            waitFor(Duration.ofSeconds(120), () -> {
                try {
                    double total = 0;
                    for (ReplicaProcess replica : live) {
                        total += replica.meter("demand_adapter_buckets_held");
                    }
                    return total == 32 && live.get(0).meter("demand_adapter_replicas_seen") == live.size();
                } catch (Exception e) {
                    return false;
                }
            });
        } catch (IllegalStateException notShared) {
            throw new IllegalStateException("the buckets were not shared: " + sharing(live) + "; "
                    + keepEvidence(live), notShared);
        }
    }

    /**
     * Each replica's log and thread dump, copied where the script's clean-up does not reach
     * ({@code bench.keep}, the script's {@code $TMPDIR}): what a replica that never took its share
     * was doing.
     */
    private static String keepEvidence(List<ReplicaProcess> live) {
        try {
            Path kept = Files.createTempDirectory(Path.of(System.getProperty("bench.keep", "/tmp")), "replicas-bench-");
            for (ReplicaProcess replica : live) {
                Files.copy(replica.log(), kept.resolve(replica.name() + ".log"));
                Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(replica.process().pid()), "Thread.print").redirectErrorStream(true)
                        .redirectOutput(kept.resolve(replica.name() + ".threads").toFile()).start();
                jcmd.waitFor(30, TimeUnit.SECONDS);
            }
            return "each replica's log and threads in " + kept;
        } catch (Exception e) {
            return "their logs and threads not kept: " + e;
        }
    }

    /** Each replica's buckets held and replicas seen, or why it did not say. */
    private static String sharing(List<ReplicaProcess> live) {
        List<String> each = new ArrayList<>();
        for (ReplicaProcess replica : live) {
            try {
                each.add(String.format("%s holds %.0f buckets, sees %.0f replicas", replica.name(),
                        replica.meter("demand_adapter_buckets_held"), replica.meter("demand_adapter_replicas_seen")));
            } catch (Exception | AssertionError e) {
                each.add(replica.name() + " did not answer: " + e);
            }
        }
        return String.join("; ", each);
    }

    /** Queries per poll interval over {@code seconds}, and each replica's CPU, RSS and replication figures. */
    private void measure(String label, List<ReplicaProcess> live, int seconds) throws Exception {
        // Settle: every metric polled at least twice since the buckets were shared.
        long settled = prometheus.total() + 2L * metrics;
        waitFor(Duration.ofSeconds(120), () -> prometheus.total() >= settled);
        long[] cpuBefore = new long[live.size()];
        double[] bytesBefore = new double[live.size()];
        for (int i = 0; i < live.size(); i++) {
            cpuBefore[i] = cpuTicks(live.get(i).process().pid());
            bytesBefore[i] = live.get(i).meter("demand_adapter_replication_received_bytes_total");
        }
        int[] gcLinesBefore = new int[live.size()];
        for (int i = 0; i < live.size(); i++) {
            gcLinesBefore[i] = gcLog(live.get(i)).size();
        }
        long before = prometheus.total();
        long started = System.nanoTime();
        RssSamples rss = RssSamples.during(live, started, seconds);
        double elapsed = (System.nanoTime() - started) / 1e9;
        double perInterval = (prometheus.total() - before) / (elapsed / INTERVAL.toSeconds());
        System.out.printf("   %s: %.0f queries per %ds interval for %d metrics (%.2f per metric)%n", label, perInterval,
                INTERVAL.toSeconds(), metrics, perInterval / metrics);
        for (int i = 0; i < live.size(); i++) {
            ReplicaProcess replica = live.get(i);
            double cpu = (cpuTicks(replica.process().pid()) - cpuBefore[i]) / 100.0 / elapsed; // USER_HZ 100
            String replication = live.size() == 1 ? "" : String.format(", replication received %.1f KiB/s",
                    (replica.meter("demand_adapter_replication_received_bytes_total") - bytesBefore[i]) / 1024 / elapsed);
            List<String> collections = gcLog(replica);
            String full = String.format("; full collections: %s in its life, %s in the measurement", fullCollections(
                    collections), fullCollections(collections.subList(gcLinesBefore[i], collections.size())));
            System.out.printf("     %s: %.0f buckets, CPU %.1f %% of a core, RSS %s (after a full GC %d MiB)%s%s%n",
                    replica.name(), replica.meter("demand_adapter_buckets_held"), cpu * 100, rss.of(i),
                    rssAfterFullGc(replica.process().pid()), replication, full);
            if (NMT) {
                printMemory(replica);
            }
        }
    }

    /** The collector's log of a replica ({@code -Xlog:gc}), beside its adapter log: its lines so far. */
    private static List<String> gcLog(ReplicaProcess replica) throws Exception {
        Path log = replica.log().resolveSibling(GC_LOG);
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    /**
     * "N (longest X ms)": the full collections among {@code lines} that the process ran itself
     * (the benchmark's {@code jcmd GC.run}, "Diagnostic Command", not counted). A full collection
     * stops every thread, the event loop's requests included.
     */
    private static String fullCollections(List<String> lines) {
        int count = 0;
        double longest = 0;
        for (String line : lines) {
            if (line.contains("Pause Full") && !line.contains("Diagnostic Command") && line.endsWith("ms")) {
                count++;
                longest = Math.max(longest, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1,
                        line.length() - 2)));
            }
        }
        return count == 0 ? "0" : String.format("%d (longest %.0f ms)", count, longest);
    }

    /**
     * Each replica's RSS read every tenth of a second through a measurement: one reading is
     * where the process happens to be between its allocations and the collector's and malloc's
     * returns (a replica's max was 53 MiB above its mean in one 30 s measurement), the mean is
     * what it costs a node.
     */
    static final class RssSamples {
        private final List<ReplicaProcess> live;
        private final long[] sum;
        private final long[] max;
        private int count;

        private RssSamples(List<ReplicaProcess> live) {
            this.live = live;
            this.sum = new long[live.size()];
            this.max = new long[live.size()];
        }

        /** Samples until {@code seconds} have passed since {@code startedNanos} ({@link System#nanoTime}). */
        static RssSamples during(List<ReplicaProcess> live, long startedNanos, int seconds) {
            RssSamples rss = new RssSamples(live);
            waitFor(Duration.ofSeconds(seconds + 30), () -> {
                rss.sample();
                return System.nanoTime() - startedNanos >= TimeUnit.SECONDS.toNanos(seconds);
            });
            return rss;
        }

        private void sample() {
            try {
                for (int i = 0; i < live.size(); i++) {
                    long mib = rssMib(live.get(i).process().pid());
                    sum[i] += mib;
                    max[i] = Math.max(max[i], mib);
                }
                count++;
            } catch (Exception e) {
                throw new IllegalStateException("reading a replica's RSS", e);
            }
        }

        /** "mean N MiB, max M" over the samples, and the last reading. */
        String of(int replica) throws Exception {
            return String.format("mean %d MiB, max %d, at the end %d", sum[replica] / Math.max(1, count), max[replica],
                    rssMib(live.get(replica).process().pid()));
        }
    }

    /** Native memory tracking's committed figures by area, and the live heap (a class histogram's total). */
    private static void printMemory(ReplicaProcess replica) throws Exception {
        for (String line : jcmd(replica, "VM.native_memory", "summary", "scale=MB").split("\n")) {
            if (line.contains("committed=") && line.matches("(?s)\\s*(Total|-\\s+\\S.*?\\().*")) {
                System.out.println("       " + replica.name() + " native memory: " + line.trim().replaceFirst("^-\\s+", ""));
            }
        }
        int listed = 0;
        for (String line : jcmd(replica, "GC.class_histogram").split("\n")) {
            if (line.matches("\\s*\\d+:\\s+\\d+\\s+\\d+\\s+.*") && listed++ < TOP_CLASSES) { // "rank: instances bytes class"
                String[] row = line.trim().split("\\s+");
                System.out.printf("       %s heap: %6.1f MB in %9s %s%n", replica.name(), Long.parseLong(row[2]) / 1e6,
                        row[1], row[3]);
            }
            if (line.startsWith("Total")) {
                String[] total = line.trim().split("\\s+");
                System.out.printf("       %s live heap: %.1f MB in %s objects%n", replica.name(),
                        Long.parseLong(total[2]) / 1e6, total[1]);
            }
        }
    }

    private static String jcmd(ReplicaProcess replica, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(replica.process().pid())));
        args.addAll(List.of(command));
        Process jcmd = new ProcessBuilder(args).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        jcmd.waitFor(60, TimeUnit.SECONDS);
        return output;
    }

    static long cpuTicks(long pid) throws Exception {
        String[] stat = Files.readString(Path.of("/proc/" + pid + "/stat")).split("\\) ")[1].split(" ");
        return Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
    }

    /**
     * RSS right after a full collection ({@code jcmd GC.run}): not where the process happens to
     * be in its collection cycle. The serial collector gives back what the live heap does not
     * need in steps over several full collections, so a heap that grew earlier may still be
     * larger than the free-ratio bounds allow.
     */
    static long rssAfterFullGc(long pid) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!jcmd.waitFor(60, TimeUnit.SECONDS)) {
            jcmd.destroyForcibly();
            return -1;
        }
        return rssMib(pid);
    }

    static long rssMib(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }

    static void waitFor(Duration atMost, BooleanSupplier condition) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + atMost);
            }
            try {
                Thread.sleep(100); // polling a condition (a benchmark driver, not a test)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private void run(int seconds) throws Exception {
        System.out.printf("8. replicas sharing the polling: %d prometheus metrics polled every %ds, 32 buckets,"
                + " default Lease timings (10s/7s/2s), the image's collector, C allocator %s%s%n", metrics,
                INTERVAL.toSeconds(), JEMALLOC.isEmpty() ? "glibc's (not the image's jemalloc)" : "jemalloc (the image's)",
                MORE_JVM.isEmpty() ? "" : ", with " + String.join(" ", MORE_JVM));
        ReplicaProcess alone = start("alone");
        awaitShared(List.of(alone));
        measure("1 replica ", List.of(alone), seconds);
        List<ReplicaProcess> three = threeInsteadOf(alone, cluster, dir);
        measure("3 replicas", three, seconds);

        // The first replica polled everything until the others joined; a rolling restart gives
        // each a process that only ever held its share, as any replica after its first restart.
        for (int i = 0; i < 2; i++) {
            ReplicaProcess fresh = start("restarted-" + i);
            List<ReplicaProcess> four = new ArrayList<>(three);
            four.add(fresh);
            awaitShared(four);
            ReplicaProcess old = three.remove(0);
            old.process().destroy(); // SIGTERM: gives its buckets back
            old.process().waitFor(60, TimeUnit.SECONDS);
            three.add(fresh);
            awaitShared(three);
        }
        measure("3 replicas after a rolling restart", three, seconds);

        ReplicaProcess killed = three.remove(2);
        prometheus.measureGaps();
        long killedAt = System.nanoTime();
        killed.kill();
        awaitShared(three);
        long shared = System.nanoTime();
        waitFor(Duration.ofSeconds(60), () -> {
            for (String query : prometheus.queries()) {
                if (prometheus.lastAsked(query) <= shared) {
                    return false;
                }
            }
            return true;
        });
        long polledAgain = 0; // the last query to be asked again after the kill: the killed replica's
        for (String query : prometheus.queries()) {
            long firstAfterKill = prometheus.asks(query).stream().filter(at -> at > killedAt).findFirst().orElseThrow();
            polledAgain = Math.max(polledAgain, firstAfterKill - killedAt);
        }
        System.out.printf("   SIGKILL of one of three: its buckets taken over %.1f s after the kill, every query asked"
                + " again %.1f s after it (bar: lease duration + one interval = %d s); the longest any query went"
                + " unasked %.1f s (from its last ask before the kill)%n", (shared - killedAt) / 1e9, polledAgain / 1e9,
                10 + INTERVAL.toSeconds(), prometheus.longestGap() / 1e9);
        for (ReplicaProcess replica : three) {
            replica.kill();
        }
    }

    public static void main(String[] args) throws Exception {
        int metrics = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Path dir = Files.createTempDirectory("replicas-bench");
        ReplicasBench bench = new ReplicasBench(metrics, dir);
        try {
            bench.run(seconds);
        } finally {
            bench.prometheus.close();
            bench.cluster.close();
        }
        System.exit(0);
    }
}
