package io.demandmetrics.adapter;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Figures for hostile input (prints, asserts nothing): the real jar as its own process gets
 * fuzzed HTTP/1.1 requests (mutated methods, targets, escapes, versions and headers from a
 * corpus of valid requests) and HTTP/2 requests without :authority or with odd paths, then a
 * SIGTERM under load. Prints the status codes (500s must be 0), answers that never came,
 * /metrics series and RSS before and after, the in-flight gauge at rest, and the requests lost
 * at SIGTERM.
 *
 * <p>Run by {@code bench/hostile}: {@code HostileBench JAR [requests] [seed]}.
 */
public final class HostileBench {

    private static final String[] TARGETS = {
        "/apis", "/apis/external.metrics.k8s.io/v1beta1", "/apis/custom.metrics.k8s.io/v1beta2",
        "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/business-hours",
        "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/business-hours?labelSelector=a%3Db",
        "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/%2A/rps?labelSelector=app%20in%20(web)",
        "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/metrics/x?metricLabelSelector=a!=b",
        "/healthz", "/readyz", "/livez", "/metrics", "/openapi/v2", "/openapi/v3",
        "/openapi/v3/apis/custom.metrics.k8s.io/v1beta2"};
    private static final String[] METHODS = {"GET", "GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS",
        "PATCH", "TRACE", "CONNECT", "get", "FOO", "M-SEARCH", "G\u00c9T", ""};
    private static final String[] JUNK = {"%", "%Z", "%ZZ", "%zz", "%00", "%2", "%c3%28", "..", "//", "*", "?", "&",
        "=", "#", " ", "\t", "\u00ff", "\u0001", "%2F", "+", ";", "%%", "~", "[", "]", "{", "}", "|", "\\", "'"};

    private HostileBench() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        Path dir = Files.createTempDirectory("hostile-bench");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path log = dir.resolve("adapter.log");
        // The example's scrape targets trust bin/run-standalone's certificate (.run/certs): this
        // adapter has its own, written at its start before the config is read.
        Path config = dir.resolve("standalone.yaml");
        Files.writeString(config, Files.readString(Path.of("deploy/examples/standalone.yaml"))
                .replace(".run/certs/", dir.resolve("certs") + "/"));
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(BenchAdapter.JAVA_OPTS);
        command.addAll(List.of("-Djava.io.tmpdir=" + dir, "-jar", jar.toString(), "--standalone",
                "--config", config.toString(), "--cert-dir", dir.resolve("certs").toString(),
                "--secure-port", Integer.toString(port), "--event-loops", "2", "--shutdown-grace-period", "5s"));
        Process adapter = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            for (int i = 0; i < 300 && !Files.exists(dir.resolve("certs").resolve("apiserver.crt")); i++) {
                Thread.sleep(100); // the adapter writes its self-signed certificate at start
            }
            HttpClient client = TestAdapters.client(dir.resolve("certs").resolve("apiserver.crt"));
            String base = "https://127.0.0.1:" + port;
            waitReady(client, base);
            long seriesBefore = series(client, base);
            long rssBefore = rssMib(adapter.pid());

            Map<String, Integer> codes = new ConcurrentHashMap<>();
            AtomicInteger noAnswer = new AtomicInteger();
            AtomicInteger closed = new AtomicInteger();
            ExecutorService workers = Executors.newFixedThreadPool(4);
            List<Future<?>> jobs = new ArrayList<>();
            int perWorker = requests / 4;
            for (int w = 0; w < 4; w++) {
                long workerSeed = seed * 31 + w;
                jobs.add(workers.submit(() -> {
                    fuzzHttp1(port, perWorker, new Random(workerSeed), codes, noAnswer, closed);
                    return null;
                }));
            }
            for (Future<?> job : jobs) {
                job.get();
            }
            workers.shutdown();
            int http2 = Math.max(1, requests / 100);
            fuzzHttp2(port, http2, new Random(seed), codes, noAnswer, closed);
            long seriesAfter = series(client, base);
            long rssAfter = rssMib(adapter.pid());
            String metrics = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String inFlight = metrics.lines().filter(l -> l.startsWith("demand_adapter_http_requests_in_flight "))
                    .findFirst().orElse("? ?").split(" ")[1];

            System.out.println("6. hostile input: the real jar, " + (perWorker * 4) + " fuzzed HTTP/1.1 requests"
                    + " (4 clients, seed " + seed + ") and " + http2 + " HTTP/2 requests without :authority or with odd paths");
            System.out.println("   status codes: " + new TreeMap<>(codes));
            int serverErrors = codes.entrySet().stream().filter(e -> e.getKey().matches("5\\d\\d"))
                    .mapToInt(Map.Entry::getValue).sum();
            System.out.println("   answers >= 500: " + serverErrors + " (bar: 0); no answer within 5 s: "
                    + noAnswer.get() + " (bar: 0); connections the server closed after a decoder error: " + closed.get());
            System.out.println("   /metrics series: " + seriesBefore + " before, " + seriesAfter + " after (bounded:"
                    + " routes and codes, never methods or paths); in-flight gauge at rest (the scrape itself): " + inFlight);
            System.out.println("   adapter RSS: " + rssBefore + " MiB before, " + rssAfter + " MiB after");
            System.out.println("   log lines of level ERROR (bugs): " + Files.readAllLines(log).stream()
                    .filter(l -> l.contains("[ERROR]")).count());

            sigtermUnderLoad(adapter, port, log);
        } finally {
            adapter.destroyForcibly();
        }
    }

    private static void fuzzHttp1(int port, int count, Random random, Map<String, Integer> codes,
                                  AtomicInteger noAnswer, AtomicInteger closed) throws Exception {
        RawTls connection = null;
        for (int i = 0; i < count; i++) {
            String method = pick(random, METHODS);
            String request = mutateRequest(random, method);
            try {
                if (connection == null) {
                    connection = RawTls.connect(port);
                }
                connection.write(request);
                Integer code = readStatus(connection, method.equals("HEAD"));
                if (code == null) {
                    closed.incrementAndGet();
                    connection.close();
                    connection = null;
                } else {
                    codes.merge(Integer.toString(code), 1, Integer::sum);
                }
            } catch (SocketTimeoutException e) {
                noAnswer.incrementAndGet();
                connection.close();
                connection = null;
            } catch (IOException e) {
                closed.incrementAndGet();
                if (connection != null) {
                    connection.close();
                }
                connection = null;
            }
        }
        if (connection != null) {
            connection.close();
        }
    }

    private static String mutateRequest(Random random, String method) {
        String target = pick(random, TARGETS);
        int mutations = random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            int at = random.nextInt(target.length() + 1);
            switch (random.nextInt(6)) {
                case 0 -> target = target.substring(0, at) + pick(random, JUNK) + target.substring(at);
                case 1 -> target = target.substring(0, at);
                case 2 -> target = target + "?labelSelector=" + pick(random, JUNK) + "a" + pick(random, JUNK);
                case 3 -> target = target.substring(0, at) + "x".repeat(random.nextInt(3) == 0 ? 9000 : 50)
                        + target.substring(at);
                case 4 -> target = target.replace("/", random.nextBoolean() ? "//" : "/./");
                default -> target = random.nextBoolean() ? "http://x" + target : target.substring(Math.min(1, target.length()));
            }
        }
        String version = random.nextInt(20) == 0 ? pick(random, new String[] {"HTTP/1.0", "HTTP/2.0", "HTTP/9", "XYZ", ""})
                : "HTTP/1.1";
        StringBuilder request = new StringBuilder(method).append(' ').append(target).append(' ').append(version)
                .append("\r\n");
        switch (random.nextInt(10)) {
            case 0 -> { } // no Host
            case 1 -> request.append("Host: ").append(pick(random, new String[] {"a b", "x:65536", "[::1", ":", "x:-1",
                "\u00e9", ""})).append("\r\n");
            case 2 -> request.append("Host: x\r\nHost: y\r\n");
            default -> request.append("Host: 127.0.0.1\r\n");
        }
        if (random.nextInt(8) == 0) {
            request.append(pick(random, new String[] {"X-Big: " + "b".repeat(20_000), "NoColon", ": empty-name",
                "Accept-Encoding: gzip", "X-Remote-User: admin", "Authorization: Bearer x",
                "Transfer-Encoding: chunked", "Content-Length: abc", "Content-Length: 5", "X-\u0001: y"}))
                    .append("\r\n");
        }
        request.append("\r\n");
        if (request.indexOf("Content-Length: 5") >= 0) {
            request.append("hello");
        } else if (request.indexOf("Transfer-Encoding: chunked") >= 0) {
            request.append(random.nextBoolean() ? "5\r\nhello\r\n0\r\n\r\n" : "zz\r\n");
        }
        return request.toString();
    }

    /** The status code of one response, skipping its body; null when the server closed the connection. */
    private static Integer readStatus(RawTls connection, boolean head) throws IOException {
        InputStream in = connection.input();
        ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            headBytes.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String headers = headBytes.toString(StandardCharsets.ISO_8859_1);
        int code = Integer.parseInt(headers.substring(9, 12));
        long length = 0;
        boolean chunked = false;
        boolean close = false;
        for (String line : headers.split("\r\n")) {
            String lower = line.toLowerCase();
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        if (!head) {
            if (chunked) {
                while (true) {
                    String size = readLine(in);
                    long chunk = Long.parseLong(size.trim(), 16);
                    in.readNBytes((int) chunk + 2);
                    if (chunk == 0) {
                        break;
                    }
                }
            } else {
                in.readNBytes((int) length);
            }
        }
        if (close) {
            throw new IOException("closed after the answer"); // counted, and the next request reconnects
        }
        return code;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private static void fuzzHttp2(int port, int count, Random random, Map<String, Integer> codes,
                                  AtomicInteger noAnswer, AtomicInteger closed) {
        for (int i = 0; i < count; i++) {
            DefaultHttp2Headers headers = new DefaultHttp2Headers();
            headers.method(random.nextInt(5) == 0 ? "POST" : "GET").scheme("https");
            String target = pick(random, TARGETS);
            if (random.nextBoolean()) {
                target = target + pick(random, JUNK);
            }
            headers.path(random.nextInt(10) == 0 ? "*" : target);
            if (random.nextInt(3) != 0) {
                headers.authority(random.nextInt(4) == 0 ? "a b" : "127.0.0.1");
            }
            try {
                RawHttp2.Response response = RawHttp2.send(port, headers);
                codes.merge(Integer.toString(response.code()), 1, Integer::sum);
            } catch (java.util.concurrent.TimeoutException e) {
                noAnswer.incrementAndGet();
            } catch (Exception e) {
                closed.incrementAndGet(); // a stream the server reset (e.g. a malformed pseudo-header)
            }
        }
    }

    /**
     * SIGTERM while 8 clients that never retry (4 on raw HTTP/1.1 sockets, 4 on raw HTTP/2
     * frames) read a metric; counted as ShutdownIT counts.
     */
    private static void sigtermUnderLoad(Process adapter, int port, Path log) throws Exception {
        String metric = "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/business-hours";
        List<String> paths = List.of(metric, metric, metric, metric);
        NeverRetryingHttp1Clients http1 = new NeverRetryingHttp1Clients(port, paths);
        NeverRetryingHttp2Clients http2 = new NeverRetryingHttp2Clients(port, paths);
        while (http1.answered.get() + http2.answered.get() < 2_000) {
            Thread.sleep(10);
        }
        int before = http1.answered.get() + http2.answered.get();
        adapter.destroy();
        adapter.waitFor(60, TimeUnit.SECONDS);
        while (http1.refused.get() + http2.refused.get() < 2 * paths.size()) {
            Thread.sleep(10);
        }
        http1.close();
        http2.close();
        String unanswered = Files.readAllLines(log).stream().filter(l -> l.contains("requests finished ("))
                .map(l -> l.substring(l.indexOf("requests finished (") + 19, l.indexOf(" left unanswered")))
                .findFirst().orElse("?");
        System.out.println("   SIGTERM under load (8 clients that never retry, 4 HTTP/1.1 and 4 HTTP/2, " + before
                + " answered before it): requests lost over HTTP/1.1 " + http1.lost + ", over HTTP/2 " + http2.lost
                + " (bar: none); left unanswered by the server: " + unanswered + "; HTTP/2 streams refused by the"
                + " GOAWAY (RFC 9113: unprocessed): " + http2.refusedStreams + "; exit code " + adapter.exitValue());
    }

    private static void waitReady(HttpClient client, String base) throws Exception {
        for (int i = 0; i < 300; i++) {
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the adapter did not become ready");
    }

    private static long series(HttpClient client, String base) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body().lines()
                .filter(l -> !l.startsWith("#") && !l.isBlank()).count();
    }

    private static long rssMib(long pid) throws IOException {
        return BenchAdapter.procStatusMib(pid, "VmRSS");
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }
}
