package io.demandmetrics.adapter;

import java.io.IOException;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * Figures for mutated configs (prints, asserts nothing): each one starts the real jar, which
 * must either exit with status 2 and a message, or start serving (it is then stopped); none may
 * hang, exit otherwise or print a stack trace. Mutations: values swapped for hostile ones (tiny
 * and huge durations, negative and non-numeric numbers, an alias bomb, a 512 KiB string, empty
 * lists, unknown keys, missing files, bad ports), lines dropped or duplicated, indentation
 * broken, and the whole file truncated.
 *
 * <p>Run by {@code bench/hostile}: {@code ConfigFuzzBench JAR [configs] [seed]}.
 */
public final class ConfigFuzzBench {

    private static final String BASE = """
            metrics:
              - name: business-hours
                namespace: default
                type: cron
                parameters: {timezone: Europe/Berlin, start: "0 8 * * 1-5", end: "0 18 * * 1-5", desiredReplicas: 10, rampUp: 15m}
                pollInterval: 15s
                timeout: 5s
                maxAge: 45s
                fallback: 2
              - name: orders-lag
                namespace: shop
                type: kafka-lag
                parameters: {bootstrapServers: "127.0.0.1:9", consumerGroup: orders, lagThreshold: 10, topic: orders}
                timeout: 2s
              - name: jobs-depth
                namespace: shop
                type: aws-sqs-queue
                parameters: {queueURL: "http://127.0.0.1:9/000000000000/jobs", awsRegion: eu-west-1}
                timeout: 2s
            """;
    private static final String[] HOSTILE = {"0.5ms", "0", "-1", "1e309", "NaN", "99999999999h", "abc", "\"\"", "[]",
        "{}", "[1, [2, [3]]]", "*bomb", "~", "null", "true", "0x10", "\"127.0.0.1:99999\"", "\"no-such-file.pem\"",
        "\"\\u0000\"", "\"" + "y".repeat(512 * 1024) + "\"", "{tls: {caFile: /no/such/ca.pem}}", "1000000000000"};

    private ConfigFuzzBench() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 350;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        Path dir = Files.createTempDirectory("config-fuzz");
        Random random = new Random(seed);
        List<Path> configs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path file = dir.resolve("config-" + i + ".yaml");
            Files.writeString(file, mutate(random), StandardCharsets.UTF_8);
            configs.add(file);
        }
        Map<String, Integer> outcomes = new ConcurrentHashMap<>();
        Map<String, String> examples = new ConcurrentHashMap<>();
        AtomicLong longestMessage = new AtomicLong();
        ExecutorService runners = Executors.newFixedThreadPool(2);
        List<Future<?>> runs = new ArrayList<>();
        for (Path config : configs) {
            runs.add(runners.submit(() -> {
                String outcome = run(jar, config, dir, longestMessage);
                String kind = outcome.substring(0, outcome.indexOf(':'));
                outcomes.merge(kind, 1, Integer::sum);
                examples.putIfAbsent(kind, config.getFileName() + " " + outcome);
                return null;
            }));
        }
        for (Future<?> run : runs) {
            run.get();
        }
        runners.shutdown();
        System.out.println("7. mutated configs: " + count + " (seed " + seed + "), each started with the real jar");
        System.out.println("   outcomes: " + new TreeMap<>(outcomes) + " (bar: only \"exit 2 with a message\" and"
                + " \"valid, served\")");
        System.out.println("   longest error output: " + longestMessage.get() + " bytes");
        new TreeMap<>(examples).forEach((kind, example) -> {
            if (!kind.equals("exit 2 with a message") && !kind.equals("valid, served")) {
                System.out.println("   example of \"" + kind + "\": " + example);
            }
        });
    }

    private static String mutate(Random random) {
        List<String> lines = new ArrayList<>(BASE.lines().toList());
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            int at = 1 + random.nextInt(lines.size() - 1);
            String line = lines.get(at);
            switch (random.nextInt(7)) {
                case 0, 1, 2 -> { // a value replaced by a hostile one
                    int colon = line.lastIndexOf(": ");
                    if (colon > 0) {
                        lines.set(at, line.substring(0, colon + 2) + HOSTILE[random.nextInt(HOSTILE.length)]);
                    }
                }
                case 3 -> lines.remove(at);
                case 4 -> lines.add(at, line);
                case 5 -> lines.set(at, line.replaceFirst("^ +", " ".repeat(random.nextInt(8))));
                default -> lines.set(at, line.replace(": ", random.nextBoolean() ? "Typo: " : ":"));
            }
        }
        StringBuilder text = new StringBuilder();
        if (String.join("\n", lines).contains("*bomb")) { // 48 aliases, each doubling the last: prints as gigabytes
            text.append("bomb0: &bomb0 [x, x, x, x, x, x, x, x]\n");
            for (int i = 1; i < 48; i++) {
                text.append("bomb").append(i).append(": &bomb").append(i).append(" [*bomb").append(i - 1)
                        .append(", *bomb").append(i - 1).append("]\n");
            }
            lines.replaceAll(l -> l.replace("*bomb", "*bomb47"));
        }
        text.append(String.join("\n", lines)).append('\n');
        if (random.nextInt(15) == 0) {
            return text.substring(0, random.nextInt(text.length()));
        }
        return text.toString();
    }

    private static String run(Path jar, Path config, Path dir, AtomicLong longestMessage) throws IOException,
            InterruptedException {
        Path output = dir.resolve(config.getFileName() + ".out");
        Process process = new ProcessBuilder("java", "-XX:+UseSerialGC", "-Xmx160m", "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=" + dir, "-jar", jar.toString(), "--standalone", "--config", config.toString(),
                "--cert-dir", dir.resolve("certs").toString(), "--secure-port", "0", "--event-loops", "1")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
                String text = Files.readString(output, StandardCharsets.ISO_8859_1);
                longestMessage.accumulateAndGet(text.length(), Math::max);
                boolean trace = text.contains("\tat ") || text.contains("Exception in thread");
                if (process.exitValue() == 2 && text.contains("demand-adapter: ") && !trace) {
                    return "exit 2 with a message: " + firstLine(text);
                }
                return "exit " + process.exitValue() + (trace ? " with a stack trace" : "") + ": " + firstLine(text);
            }
            String text = Files.readString(output, StandardCharsets.ISO_8859_1);
            if (text.contains("listening on https://")) {
                process.destroy();
                process.waitFor(30, TimeUnit.SECONDS);
                return "valid, served: " + firstLine(text);
            }
        }
        process.destroyForcibly();
        return "hung (no exit, no serving after 60 s): " + firstLine(Files.readString(output, StandardCharsets.ISO_8859_1));
    }

    private static String firstLine(String text) {
        String line = text.lines().filter(l -> l.contains("demand-adapter:") || l.contains("invalid config")
                || l.contains("Exception")).findFirst().orElse(text.lines().findFirst().orElse(""));
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
