package io.demandmetrics.adapter;

import io.demandmetrics.adapter.tls.SelfSignedCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The adapter jar as its own process, for benchmarks: started on a free port with the heap
 * settings of {@code bin/run-standalone}, read through HTTPS, /metrics and /proc.
 */
final class BenchAdapter implements AutoCloseable {

    /** The image's collector and heap bounds ({@link #imageJvmOptions()}) with bin/run-standalone's heap size. */
    static final List<String> JAVA_OPTS = Stream.concat(imageJvmOptions().stream(),
            Stream.of("-Xms64m", "-Xmx160m")).toList();

    private final Process process;
    private final String base;
    private final HttpClient client;

    /**
     * The options in adapter/jvm.options, the argument file the image's ENTRYPOINT reads: what a
     * benchmark's adapter runs with is what ships. Read from the repository's root (the bench
     * scripts run there) or from the adapter module (Maven's tests).
     */
    static List<String> imageJvmOptions() {
        Path file = Files.exists(Path.of("adapter", "jvm.options")) ? Path.of("adapter", "jvm.options")
                : Path.of("jvm.options");
        try {
            return Files.readAllLines(file).stream().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("the image's JVM options, " + file.toAbsolutePath(), e);
        }
    }

    /**
     * {@link #JAVA_OPTS}, with the heap bound from the {@code bench.heap} property when set (e.g.
     * 320m), and the options in {@code bench.jvm} (space-separated) after them; a collector chosen
     * there ({@code -XX:+UseG1GC}) replaces the serial one.
     */
    static List<String> javaOpts() {
        String heap = System.getProperty("bench.heap");
        List<String> options = new ArrayList<>(JAVA_OPTS.stream()
                .map(option -> heap != null && option.startsWith("-Xmx") ? "-Xmx" + heap : option).toList());
        List<String> extra = spaceSeparated(System.getProperty("bench.jvm", ""));
        if (extra.stream().anyMatch(option -> option.matches("-XX:\\+Use\\w+GC"))) {
            options.remove("-XX:+UseSerialGC");
        }
        options.addAll(extra);
        return options;
    }

    /** JVM options given as one space-separated string (a property's or a variable's value); none when blank. */
    static List<String> spaceSeparated(String options) {
        return options.isBlank() ? List.of() : List.of(options.strip().split("\\s+"));
    }

    private BenchAdapter(Process process, String base, HttpClient client) {
        this.process = process;
        this.base = base;
        this.client = client;
    }

    /** Starts the jar serving {@code config} (one event loop, as bench/run) and waits until it is ready. */
    static BenchAdapter start(Path jar, Path dir, String config) throws Exception {
        Path configFile = dir.resolve("config.yaml");
        Files.writeString(configFile, config);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(javaOpts());
        command.addAll(List.of("-Djava.io.tmpdir=" + dir, "-jar", jar.toString(), "--standalone", "--config",
                configFile.toString(), "--cert-dir", dir.resolve("certs").toString(), "--secure-port",
                Integer.toString(port), "--event-loops", "1"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("adapter.log").toFile()).start();
        String base = "https://127.0.0.1:" + port;
        Path cert = dir.resolve("certs").resolve(SelfSignedCertificate.CERT_FILE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroy();
                throw new IllegalStateException("the adapter did not start:\n" + Files.readString(dir.resolve("adapter.log")));
            }
            if (Files.exists(cert)) {
                HttpClient client = HttpClient.newBuilder().sslContext(TestAdapters.sslContext(cert, null))
                        .connectTimeout(Duration.ofSeconds(5)).build();
                try {
                    if (get(client, base + "/readyz").statusCode() == 200) {
                        return new BenchAdapter(process, base, client);
                    }
                } catch (IOException notYet) {
                    // still starting
                }
            }
            Thread.sleep(200);
        }
    }

    /** The process id, for CPU readings from /proc. */
    long pid() {
        return process.pid();
    }

    /** https://127.0.0.1:port */
    String url() {
        return base;
    }

    String get(String path) throws Exception {
        return get(client, base + path).body();
    }

    /**
     * The /metrics families, each summed over its label sets ({@code _max} and {@code _peak}
     * families: their maximum); {@code jvm_memory_used_bytes_heap} is the heap part.
     */
    Map<String, Double> scrape() throws Exception {
        Map<String, Double> values = new HashMap<>();
        for (String line : get("/metrics").split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int brace = line.indexOf('{');
            String name = line.substring(0, brace > 0 ? brace : line.indexOf(' '));
            if (name.equals("jvm_memory_used_bytes")) {
                if (!line.contains("area=\"heap\"")) {
                    continue;
                }
                name = "jvm_memory_used_bytes_heap";
            }
            double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            values.merge(name, value, name.endsWith("_max") || name.endsWith("_peak") ? Math::max : Double::sum);
        }
        return values;
    }

    /**
     * The adapter's own request-duration histogram ({@code demand_adapter_http_requests_seconds}),
     * cumulative counts by upper bound ("0.005", "+Inf", ...) summed over routes and codes.
     */
    Map<String, Double> requestDurationBuckets() throws Exception {
        Map<String, Double> buckets = new HashMap<>();
        for (String line : get("/metrics").split("\n")) {
            if (line.startsWith("demand_adapter_http_requests_seconds_bucket{")) {
                String le = line.replaceAll(".*le=\"([^\"]*)\".*", "$1");
                buckets.merge(le, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
            }
        }
        return buckets;
    }

    /** A field of /proc/PID/status in MiB: VmRSS, VmHWM. */
    long procStatusMib(String field) throws Exception {
        return procStatusMib(process.pid(), field);
    }

    /** A field of /proc/PID/status of any process in MiB (VmRSS, VmHWM); -1 when absent. */
    static long procStatusMib(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    /** Sends the process a signal: {@code STOP} freezes it (it never answers), {@code CONT} resumes it. */
    void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
