package io.demandmetrics.scaler.kafka;

import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.support.BoundedQuote;
import io.demandmetrics.scaler.support.ParameterReader;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The {@code kafka-lag} scaler: a consumer group's lag, with KEDA's kafka trigger parameters
 * and results. All metrics that reach one cluster as one identity share one Admin client and
 * one batched poll cycle ({@link KafkaClusters}).
 */
public final class KafkaLagScalerProvider implements ScalerProvider<KafkaLagConfig> {

    static final String TYPE = "kafka-lag";

    private static final String[] KEYS = {"bootstrapServers", "consumerGroup", "topic", "lagThreshold",
        "activationLagThreshold", "offsetResetPolicy", "allowIdleConsumers", "limitToPartitionsWithLag",
        "excludePersistentLag", "scaleToZeroOnInvalidOffset", "partitionLimitation", "tls", "sasl", "properties"};
    private static final String[] TLS_KEYS = {"caFile", "certFile", "keyFile", "keyPasswordFile", "keyPasswordEnv"};
    private static final String[] SASL_KEYS = {"mechanism", "username", "password", "passwordFile", "passwordEnv",
        "tokenEndpointUrl", "clientId", "clientSecret", "clientSecretFile", "clientSecretEnv", "scope"};

    /** KEDA's spellings of the mechanisms, accepted so a trigger's metadata can be copied over. */
    private static final Map<String, String> MECHANISMS = Map.of(
            "plain", "PLAIN", "plaintext", "PLAIN",
            "scram-sha-256", "SCRAM-SHA-256", "scram_sha256", "SCRAM-SHA-256",
            "scram-sha-512", "SCRAM-SHA-512", "scram_sha512", "SCRAM-SHA-512",
            "oauthbearer", "OAUTHBEARER");

    /** Client properties the adapter sets from other parameters; setting them twice would conflict. */
    private static final Set<String> MANAGED_PROPERTIES = Set.of(
            "bootstrap.servers", "security.protocol", "sasl.mechanism", "sasl.jaas.config",
            "sasl.oauthbearer.token.endpoint.url", "sasl.login.callback.handler.class", "ssl.key.password",
            "ssl.keystore.type", "ssl.keystore.location", "ssl.keystore.password", "ssl.keystore.key",
            "ssl.keystore.certificate.chain", "ssl.truststore.type", "ssl.truststore.location",
            "ssl.truststore.password", "ssl.truststore.certificates");

    private final KafkaClusters clusters = new KafkaClusters();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public KafkaLagConfig parseConfig(Map<String, Object> parameters) throws InvalidConfigException {
        ParameterReader p = new ParameterReader(parameters, KEYS);
        List<String> servers = p.strings("bootstrapServers");
        if (!p.has("bootstrapServers")) {
            p.problem("missing required parameter \"bootstrapServers\"");
        } else if (servers.isEmpty() && p.problems().stream().noneMatch(m -> m.contains("\"bootstrapServers\""))) {
            p.invalid("bootstrapServers", parameters.get("bootstrapServers"), "must name at least one host:port");
        }
        for (String server : servers) {
            if (!server.matches("\\[?[A-Za-z0-9._:-]+]?:[0-9]{1,5}")) {
                p.invalid("bootstrapServers", server, "is not host:port");
            } else {
                int port = Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
                if (port < 1 || port > 65535) {
                    p.invalid("bootstrapServers", server, "has a port outside 1-65535");
                }
            }
        }
        String group = p.string("consumerGroup");
        List<String> topics = p.strings("topic");
        long lagThreshold = p.integer("lagThreshold", 10, 1);
        long activationLagThreshold = p.integer("activationLagThreshold", 0, 0);
        OffsetResetPolicy policy = OffsetResetPolicy.valueOf(
                p.oneOf("offsetResetPolicy", "latest", List.of("latest", "earliest")).toUpperCase(Locale.ROOT));
        boolean allowIdleConsumers = p.bool("allowIdleConsumers", false);
        boolean limitToPartitionsWithLag = p.bool("limitToPartitionsWithLag", false);
        boolean excludePersistentLag = p.bool("excludePersistentLag", false);
        boolean scaleToZeroOnInvalidOffset = p.bool("scaleToZeroOnInvalidOffset", false);
        PartitionSet partitions = null;
        String limitation = p.string("partitionLimitation", null);
        if (limitation != null) {
            try {
                partitions = PartitionSet.parse(limitation);
            } catch (IllegalArgumentException e) {
                p.invalid("partitionLimitation", limitation, e.getMessage());
            }
            if (topics.isEmpty()) { // KEDA ignores it silently; a setting with no effect is a mistake
                p.problem("parameter \"partitionLimitation\" needs \"topic\": it limits the partitions of the"
                        + " topics named there");
            }
        }
        if (allowIdleConsumers && limitToPartitionsWithLag) {
            p.problem("allowIdleConsumers and limitToPartitionsWithLag cannot be set simultaneously");
        }
        if (limitToPartitionsWithLag && topics.isEmpty()) {
            p.problem("topic must be specified when using limitToPartitionsWithLag");
        }
        ClusterSettings.Tls tls = tls(p);
        ClusterSettings.Sasl sasl = sasl(p);
        SortedMap<String, String> properties = properties(p);
        p.throwIfInvalid();
        ClusterSettings cluster = new ClusterSettings(String.join(",", servers), tls, sasl, properties);
        return new KafkaLagConfig(cluster, group, topics, partitions, lagThreshold, activationLagThreshold, policy,
                allowIdleConsumers, limitToPartitionsWithLag, excludePersistentLag, scaleToZeroOnInvalidOffset);
    }

    /**
     * Metrics that reach one cluster as one identity share one Admin client and one batched read
     * per cycle: polled by one replica, they cost the cluster a request per step and cycle, where
     * spread over three replicas they would cost three. The key names secrets by reference only
     * ({@link ClusterSettings}).
     */
    @Override
    public String sharedPolling(KafkaLagConfig config, String namespace) {
        return "kafka cluster " + config.cluster();
    }

    /** The cluster by its bootstrap servers (never its credentials): an outage is one log line. */
    @Override
    public String source(KafkaLagConfig config, String namespace) {
        return "Kafka cluster " + config.cluster().describe();
    }

    @Override
    public Scaler createScaler(KafkaLagConfig config, ScalerContext context) {
        return new KafkaLagScaler(config, clusters.acquire(config.cluster(), context.meterRegistry()), context);
    }

    @Override
    public List<Sample> combine(KafkaLagConfig config, List<Sample> matched, boolean narrowed) {
        return LagTotals.combine(config, matched, narrowed);
    }

    private static ClusterSettings.Tls tls(ParameterReader parent) {
        Map<String, Object> block = parent.block("tls");
        if (block == null) {
            return null;
        }
        ParameterReader p = parent.nested("tls", block, TLS_KEYS);
        String ca = p.readableFile("caFile");
        String cert = p.readableFile("certFile");
        String key = p.readableFile("keyFile");
        SecretSource keyPassword = secret(p, "tls", "keyPassword", false);
        if ((cert == null) != (key == null)) {
            p.problem("parameters \"tls.certFile\" and \"tls.keyFile\" go together: set both for client"
                    + " authentication, or neither");
        }
        if (keyPassword != null && key == null) {
            p.problem("parameter \"tls.keyPasswordFile\"/\"tls.keyPasswordEnv\" needs \"tls.keyFile\"");
        }
        return new ClusterSettings.Tls(ca, cert, key, keyPassword);
    }

    private static ClusterSettings.Sasl sasl(ParameterReader parent) {
        Map<String, Object> block = parent.block("sasl");
        if (block == null) {
            return null;
        }
        ParameterReader p = parent.nested("sasl", block, SASL_KEYS);
        String written = p.string("mechanism");
        String mechanism = written == null ? null : MECHANISMS.get(written.toLowerCase(Locale.ROOT));
        if (written != null && mechanism == null) {
            p.invalid("mechanism", written, "must be one of [PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER]");
        }
        boolean inlineSecret = p.has("password") || p.has("clientSecret");
        if (inlineSecret) {
            p.problem("secrets are not written in the config: use \"sasl.passwordFile\" or \"sasl.passwordEnv\""
                    + " (\"sasl.clientSecretFile\" or \"sasl.clientSecretEnv\" for OAUTHBEARER), e.g. a mounted"
                    + " Secret");
        }
        if (mechanism == null) {
            return null; // nothing else can be checked against an unknown mechanism
        }
        if ("OAUTHBEARER".equals(mechanism)) {
            String endpoint = p.string("tokenEndpointUrl");
            if (endpoint != null && !endpoint.startsWith("https://") && !endpoint.startsWith("http://")) {
                p.invalid("tokenEndpointUrl", endpoint, "is not an http(s) URL");
            }
            return new ClusterSettings.Sasl(mechanism, null, null, endpoint, p.string("clientId"),
                    secret(p, "sasl", "clientSecret", !inlineSecret), p.string("scope", null));
        }
        for (String oauthOnly : List.of("tokenEndpointUrl", "clientId", "clientSecretFile", "clientSecretEnv", "scope")) {
            if (p.has(oauthOnly)) {
                p.problem("parameter \"sasl." + oauthOnly + "\" is for mechanism OAUTHBEARER, not " + mechanism);
            }
        }
        return new ClusterSettings.Sasl(mechanism, p.string("username"), secret(p, "sasl", "password", !inlineSecret), null, null,
                null, null);
    }

    /** {@code <name>File} or {@code <name>Env}: exactly one when required, at most one otherwise. */
    private static SecretSource secret(ParameterReader p, String block, String name, boolean required) {
        String file = p.readableFile(name + "File");
        String env = p.string(name + "Env", null);
        if (file != null && env != null) {
            p.problem("parameters \"" + block + "." + name + "File\" and \"" + block + "." + name
                    + "Env\" are alternatives: set one");
            return null;
        }
        if (file == null && env == null) {
            if (required) {
                p.problem("missing required parameter \"" + block + "." + name + "File\" (or \"" + block + "."
                        + name + "Env\")");
            }
            return null;
        }
        if (file != null) {
            return SecretSource.ofFile(file);
        }
        if (System.getenv(env) == null) {
            p.problem("parameter \"" + block + "." + name + "Env\" names variable " + BoundedQuote.quote(env)
                    + ", which is not set in the adapter's environment");
        }
        return SecretSource.ofEnv(env);
    }

    /** Kafka's own check of one property's value (type, range), or null when it accepts it. */
    private static String kafkaRejects(String name, String value) {
        try {
            AdminClientConfig.configDef().parse(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092",
                    name, value));
            return null;
        } catch (org.apache.kafka.common.config.ConfigException e) {
            String message = String.valueOf(e.getMessage());
            int reason = message.lastIndexOf(": ");
            return reason >= 0 ? message.substring(reason + 2) : message;
        }
    }

    private static SortedMap<String, String> properties(ParameterReader p) {
        SortedMap<String, String> properties = new TreeMap<>();
        Map<String, Object> block = p.block("properties");
        if (block == null) {
            return properties;
        }
        Set<String> known = AdminClientConfig.configNames();
        block.forEach((name, value) -> {
            if (name.equals(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG)) {
                p.problem("parameter \"properties." + name + "\" is derived from the metric's \"timeout\" (four"
                        + " fifths of it, so Kafka's own error arrives first); set the metric's timeout instead");
            } else if (MANAGED_PROPERTIES.contains(name)) {
                p.problem("parameter \"properties." + name + "\" is set by the adapter from \"bootstrapServers\","
                        + " \"tls\" and \"sasl\"; use those");
            } else if (!known.contains(name)) {
                p.problem("parameter \"properties." + name + "\" is not a Kafka admin client property");
            } else if (value == null || value instanceof Map || value instanceof List) {
                p.invalid("properties." + name, value, "must be a single value");
            } else {
                String problem = kafkaRejects(name, value.toString());
                if (problem != null) {
                    p.invalid("properties." + name, value, "is refused by Kafka: " + problem);
                } else {
                    properties.put(name, value.toString());
                }
            }
        });
        return properties;
    }
}
