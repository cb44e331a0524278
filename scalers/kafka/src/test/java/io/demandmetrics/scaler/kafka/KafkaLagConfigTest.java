package io.demandmetrics.scaler.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.demandmetrics.scaler.spi.InvalidConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KafkaLagConfigTest {

    private final KafkaLagScalerProvider provider = new KafkaLagScalerProvider();

    private static Map<String, Object> valid(Object... more) {
        Map<String, Object> p = new HashMap<>(Map.of("bootstrapServers", "kafka-0:9092,kafka-1:9092",
                "consumerGroup", "orders"));
        for (int i = 0; i < more.length; i += 2) {
            p.put((String) more[i], more[i + 1]);
        }
        return p;
    }

    @Test
    void defaultsAreKedas() throws Exception {
        KafkaLagConfig c = provider.parseConfig(valid());
        assertThat(c.lagThreshold()).isEqualTo(10);
        assertThat(c.activationLagThreshold()).isZero();
        assertThat(c.offsetResetPolicy()).isEqualTo(OffsetResetPolicy.LATEST);
        assertThat(c.topics()).isEmpty();
        assertThat(c.allowIdleConsumers() || c.limitToPartitionsWithLag() || c.excludePersistentLag()
                || c.scaleToZeroOnInvalidOffset()).isFalse();
        assertThat(c.cluster().bootstrapServers()).isEqualTo("kafka-0:9092,kafka-1:9092");
    }

    @Test
    void topicsAsListOrCommaSeparated() throws Exception {
        assertThat(provider.parseConfig(valid("topic", "a, b")).topics()).containsExactly("a", "b");
        assertThat(provider.parseConfig(valid("topic", List.of("a", "b"))).topics()).containsExactly("a", "b");
        assertThat(provider.parseConfig(valid("topic", "orders", "partitionLimitation", "0,2, 4-6"))
                .partitionLimitation().contains(5)).isTrue();
    }

    static List<Object[]> broken() {
        return List.of(
                new Object[] {valid("lagThreshold", 0), "parameter \"lagThreshold\" value \"0\" must be >= 1"},
                new Object[] {valid("activationLagThreshold", -1), "parameter \"activationLagThreshold\" value \"-1\" must be >= 0"},
                new Object[] {valid("offsetResetPolicy", "newest"), "parameter \"offsetResetPolicy\" value \"newest\" must be one of [latest, earliest]"},
                new Object[] {valid("bootstrapServers", "kafka"), "parameter \"bootstrapServers\" value \"kafka\" is not host:port"},
                new Object[] {valid("topic", "t", "allowIdleConsumers", true, "limitToPartitionsWithLag", true),
                    "allowIdleConsumers and limitToPartitionsWithLag cannot be set simultaneously"},
                new Object[] {valid("limitToPartitionsWithLag", true), "topic must be specified when using limitToPartitionsWithLag"},
                new Object[] {valid("partitionLimitation", "1,2"),
                    "parameter \"partitionLimitation\" needs \"topic\": it limits the partitions of the topics named there"},
                new Object[] {valid("topic", "t", "partitionLimitation", "1,,2"),
                    "parameter \"partitionLimitation\" value \"1,,2\" has an empty element; write e.g. 0,1,4-7"},
                new Object[] {valid("topic", "t", "partitionLimitation", "7-3"),
                    "parameter \"partitionLimitation\" value \"7-3\" has the range \"7-3\", which ends before it starts"},
                new Object[] {valid("topic", "t", "partitionLimitation", "a"),
                    "parameter \"partitionLimitation\" value \"a\" has \"a\", which is not a partition number or a range like 10-20"},
                new Object[] {valid("sasl", Map.of("mechanism", "PLAIN", "username", "u", "password", "hunter2")),
                    "secrets are not written in the config: use \"sasl.passwordFile\" or \"sasl.passwordEnv\""
                        + " (\"sasl.clientSecretFile\" or \"sasl.clientSecretEnv\" for OAUTHBEARER), e.g. a mounted Secret"},
                new Object[] {valid("sasl", Map.of("mechanism", "GSSAPI")),
                    "parameter \"sasl.mechanism\" value \"GSSAPI\" must be one of [PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER]"},
                new Object[] {valid("sasl", Map.of("mechanism", "scram_sha512", "username", "u")),
                    "missing required parameter \"sasl.passwordFile\" (or \"sasl.passwordEnv\")"},
                new Object[] {valid("sasl", Map.of("mechanism", "OAUTHBEARER", "clientId", "c", "clientSecretEnv", "PATH")),
                    "missing required parameter \"sasl.tokenEndpointUrl\""},
                new Object[] {valid("tls", Map.of("certFile", "/etc/passwd")),
                    "parameters \"tls.certFile\" and \"tls.keyFile\" go together: set both for client authentication, or neither"},
                new Object[] {valid("tls", "yes"), "parameter \"tls\" must be a map"},
                new Object[] {valid("properties", Map.of("security.protocol", "SSL")),
                    "parameter \"properties.security.protocol\" is set by the adapter from \"bootstrapServers\", \"tls\" and \"sasl\"; use those"},
                new Object[] {valid("properties", Map.of("retires", "3")),
                    "parameter \"properties.retires\" is not a Kafka admin client property"},
                new Object[] {valid("bootstrapServers", List.of()),
                    "parameter \"bootstrapServers\" value \"[]\" must name at least one host:port"},
                new Object[] {valid("bootstrapServers", "kafka:99999"),
                    "parameter \"bootstrapServers\" value \"kafka:99999\" has a port outside 1-65535"},
                new Object[] {valid("properties", Map.of("request.timeout.ms", "abc")),
                    "parameter \"properties.request.timeout.ms\" value \"abc\" is refused by Kafka: Not a number of type INT"},
                new Object[] {valid("properties", Map.of("default.api.timeout.ms", "5000")),
                    "parameter \"properties.default.api.timeout.ms\" is derived from the metric's \"timeout\" (four fifths"
                        + " of it, so Kafka's own error arrives first); set the metric's timeout instead"},
                new Object[] {valid("tls", Map.of("caFile", "/no/such/ca.crt")),
                    "parameter \"tls.caFile\" value \"/no/such/ca.crt\" is not a readable file (a mounted Secret's path?)"},
                new Object[] {valid("sasl", Map.of("mechanism", "PLAIN", "username", "u", "passwordEnv", "NO_SUCH_VARIABLE_X")),
                    "parameter \"sasl.passwordEnv\" names variable \"NO_SUCH_VARIABLE_X\", which is not set in the"
                        + " adapter's environment"},
                new Object[] {valid("lagTreshold", 5),
                    "unknown parameter \"lagTreshold\"; known: [activationLagThreshold, allowIdleConsumers, bootstrapServers,"
                        + " consumerGroup, excludePersistentLag, lagThreshold, limitToPartitionsWithLag, offsetResetPolicy,"
                        + " partitionLimitation, properties, sasl, scaleToZeroOnInvalidOffset, tls, topic]"});
    }

    @ParameterizedTest
    @MethodSource("broken")
    void badConfigGetsOneClearMessage(Map<String, Object> parameters, String message) {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> provider.parseConfig(parameters));
        assertThat(e).isNotNull();
        assertThat(e.problems()).containsExactly(message);
    }

    @Test
    void secretsAreReadWhenTheClientIsBuiltAndNeverShown(@TempDir Path dir) throws Exception {
        Path password = dir.resolve("password");
        Files.writeString(password, "s3cr3t-\"quoted\"\n");
        KafkaLagConfig c = provider.parseConfig(valid("sasl", Map.of("mechanism", "SCRAM-SHA-256", "username", "scaler",
                "passwordFile", password.toString()), "properties", Map.of("client.dns.lookup", "use_all_dns_ips")));
        assertThat(c.toString()).doesNotContain("s3cr3t");
        Map<String, Object> props = c.cluster().clientProperties("test");
        assertThat(props).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-256")
                .containsEntry("client.dns.lookup", "use_all_dns_ips")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"scaler\" password=\"s3cr3t-\\\"quoted\\\"\";");
    }

    @Test
    void aSecretFileRemovedAfterLoadingIsNamedNotShown(@TempDir Path dir) throws Exception {
        Path password = dir.resolve("nope");
        Files.writeString(password, "s3cr3t");
        KafkaLagConfig c = provider.parseConfig(valid("sasl", Map.of("mechanism", "PLAIN", "username", "scaler",
                "passwordFile", password.toString())));
        Files.delete(password);
        IllegalStateException e = catchThrowableOfType(IllegalStateException.class, () -> c.cluster().clientProperties("t"));
        assertThat(e).hasMessage("cannot read the secret file " + dir.resolve("nope") + ": NoSuchFileException");
    }

    @Test
    void equalSettingsAreOneClusterIdentity() throws Exception {
        assertThat(provider.parseConfig(valid("consumerGroup", "a")).cluster())
                .isEqualTo(provider.parseConfig(valid("consumerGroup", "b", "topic", "x")).cluster());
        assertThat(provider.parseConfig(valid()).cluster())
                .isNotEqualTo(provider.parseConfig(valid("sasl", Map.of("mechanism", "PLAIN", "username", "u",
                        "passwordEnv", "PATH"))).cluster());
    }
}
