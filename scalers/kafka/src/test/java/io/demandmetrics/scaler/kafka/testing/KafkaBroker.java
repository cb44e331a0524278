package io.demandmetrics.scaler.kafka.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka (KRaft, broker and controller in one) for tests: Kafka's own
 * server, in this JVM ({@link #startInJvm}) or in a child JVM that a test can kill and
 * restart on the same ports ({@link #startChild}). Everything it writes stays under the
 * given directory.
 */
public final class KafkaBroker implements AutoCloseable {

    private final Path dir;
    private final Path config;
    private final int port;
    private final int saslPort;
    private final int sslPort;
    private KafkaRaftServer server;
    private Process child;
    private String childHeap = "384m";

    private KafkaBroker(Path dir, Path config, int port, int saslPort, int sslPort) {
        this.dir = dir;
        this.config = config;
        this.port = port;
        this.saslPort = saslPort;
        this.sslPort = sslPort;
    }

    /** A broker in this JVM with a PLAINTEXT listener. */
    public static KafkaBroker startInJvm(Path dir) {
        return startInJvm(dir, Map.of());
    }

    /**
     * A broker in this JVM; {@code saslUsers} (user to password), when not empty, adds a
     * SASL_PLAINTEXT listener taking PLAIN for those users and SCRAM-SHA-256/512.
     */
    public static KafkaBroker startInJvm(Path dir, Map<String, String> saslUsers) {
        return startInJvm(dir, saslUsers, null, null);
    }

    /**
     * A broker in this JVM that also has an SSL listener requiring client certificates:
     * {@code keyStorePem} holds its key and certificate, {@code trustedCaPem} the CA its
     * clients' certificates must chain to.
     */
    public static KafkaBroker startInJvm(Path dir, Map<String, String> saslUsers, Path keyStorePem, Path trustedCaPem) {
        KafkaBroker broker = prepare(dir, saslUsers, keyStorePem, trustedCaPem);
        broker.server = new KafkaRaftServer(new KafkaConfig(broker.properties()), Time.SYSTEM);
        broker.server.startup();
        broker.awaitReady(Duration.ofSeconds(60));
        return broker;
    }

    /** A broker in a child JVM (about 300 MB), for tests that kill it. */
    public static KafkaBroker startChild(Path dir) {
        return startChild(dir, "384m");
    }

    /** A broker in a child JVM with the given maximum heap ({@code 1g}), for benchmarks. */
    public static KafkaBroker startChild(Path dir, String maxHeap) {
        KafkaBroker broker = prepare(dir, Map.of(), null, null);
        broker.childHeap = maxHeap;
        broker.launchChild();
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The SASL_PLAINTEXT listener, when the broker has one. */
    public String saslBootstrapServers() {
        if (saslPort < 0) {
            throw new IllegalStateException("this broker has no SASL listener");
        }
        return "127.0.0.1:" + saslPort;
    }

    /** The SSL listener (client certificates required), when the broker has one. */
    public String sslBootstrapServers() {
        if (sslPort < 0) {
            throw new IllegalStateException("this broker has no SSL listener");
        }
        return "127.0.0.1:" + sslPort;
    }

    /** An Admin client for setting the test up. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** Kills the child broker at once (SIGKILL): no clean shutdown, as in a crash. */
    public void kill() throws InterruptedException {
        child.destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
    }

    /** Starts the killed child broker again on the same ports and data. */
    public void restart() {
        launchChild();
    }

    /** The child broker's process id, or -1 for an in-JVM broker. */
    public long pid() {
        return child == null ? -1 : child.pid();
    }

    @Override
    public void close() throws InterruptedException {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
        if (child != null && child.isAlive()) {
            child.destroy();
            if (!child.waitFor(20, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    private static KafkaBroker prepare(Path dir, Map<String, String> saslUsers, Path keyStorePem, Path trustedCaPem) {
        try {
            Files.createDirectories(dir);
            int port = freePort();
            int controllerPort = freePort();
            int saslPort = saslUsers.isEmpty() ? -1 : freePort();
            Map<String, String> p = new LinkedHashMap<>();
            p.put("process.roles", "broker,controller");
            p.put("node.id", "1");
            String listeners = "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort;
            String advertised = "PLAINTEXT://127.0.0.1:" + port;
            String protocols = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT";
            if (saslPort > 0) {
                listeners += ",SASL_PLAINTEXT://127.0.0.1:" + saslPort;
                advertised += ",SASL_PLAINTEXT://127.0.0.1:" + saslPort;
                protocols += ",SASL_PLAINTEXT:SASL_PLAINTEXT";
                p.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
                StringBuilder plain = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
                saslUsers.forEach((user, password) -> plain.append(" user_").append(user).append("=\"").append(password).append('"'));
                p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", plain.append(';').toString());
                for (String scram : List.of("scram-sha-256", "scram-sha-512")) {
                    p.put("listener.name.sasl_plaintext." + scram + ".sasl.jaas.config",
                            "org.apache.kafka.common.security.scram.ScramLoginModule required;");
                }
            }
            int sslPort = keyStorePem == null ? -1 : freePort();
            if (sslPort > 0) {
                listeners += ",SSL://127.0.0.1:" + sslPort;
                advertised += ",SSL://127.0.0.1:" + sslPort;
                protocols += ",SSL:SSL";
                p.put("listener.name.ssl.ssl.keystore.type", "PEM");
                p.put("listener.name.ssl.ssl.keystore.location", keyStorePem.toString());
                p.put("listener.name.ssl.ssl.truststore.type", "PEM");
                p.put("listener.name.ssl.ssl.truststore.location", trustedCaPem.toString());
                p.put("listener.name.ssl.ssl.client.auth", "required");
            }
            p.put("listeners", listeners);
            p.put("advertised.listeners", advertised);
            p.put("listener.security.protocol.map", protocols);
            p.put("controller.listener.names", "CONTROLLER");
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
            p.put("log.dirs", dir.resolve("logs").toString());
            p.put("offsets.topic.replication.factor", "1");
            p.put("offsets.topic.num.partitions", "1");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("group.initial.rebalance.delay.ms", "0");
            p.put("auto.create.topics.enable", "false");
            p.put("num.partitions", "1");
            p.put("log.flush.interval.messages", "1000000");
            Path config = dir.resolve("server.properties");
            StringBuilder text = new StringBuilder();
            p.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
            Files.writeString(config, text);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int formatted = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
                config.toString(), "--standalone"}, new PrintStream(out, true, StandardCharsets.UTF_8));
            if (formatted != 0) {
                throw new IllegalStateException("formatting the KRaft storage failed: " + out);
            }
            return new KafkaBroker(dir, config, port, saslPort, sslPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Properties properties() {
        Properties props = new Properties();
        try (var reader = Files.newBufferedReader(config)) {
            props.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return props;
    }

    private void launchChild() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + childHeap);
        command.add("-XX:+UseSerialGC");
        command.add("-Djava.io.tmpdir=" + dir);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("kafka.Kafka");
        command.add(config.toString());
        try {
            child = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReady(Duration.ofSeconds(90));
    }

    private void awaitReady(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (child != null && !child.isAlive()) {
                throw new IllegalStateException("the child broker exited with " + child.exitValue() + "; see "
                        + dir.resolve("broker.log"));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                try (Admin admin = admin()) {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                }
            } catch (Exception e) {
                last = e;
                sleep(200);
            }
        }
        throw new IllegalStateException("the broker did not become ready in " + limit, last);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
