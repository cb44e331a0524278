package io.demandmetrics.scaler.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.scaler.kafka.testing.KafkaBroker;
import io.demandmetrics.scaler.kafka.testing.KafkaData;
import io.demandmetrics.scaler.kafka.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** SASL PLAIN and SCRAM, and mutual TLS, against a real broker, with secrets from files that never show. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaLagSecurityTest {

    private static final String PLAIN_PASSWORD = "pl41n-S3cret";
    private static final String SCRAM_PASSWORD = "scr4m-S3cret";

    @TempDir
    static Path dir;
    private KafkaBroker broker;
    private ScalerRun run;

    private Path pki;

    @BeforeAll
    void start() throws Exception {
        pki = Files.createDirectories(dir.resolve("pki"));
        TestPki ca = new TestPki();
        Path brokerKeyStore = ca.issue(pki, "broker", true);
        ca.issue(pki, "scaler", false);
        ca.writeCa(pki.resolve("ca.crt"));
        broker = KafkaBroker.startInJvm(dir.resolve("broker"), Map.of("scaler", PLAIN_PASSWORD), brokerKeyStore,
                pki.resolve("ca.crt"));
        try (KafkaData data = new KafkaData(broker.bootstrapServers())) {
            data.createTopic("orders", 2);
            data.produce("orders", 7, 5);
            data.commit("secured", "orders", 2, 5);
            data.admin().alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("scram-scaler",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), SCRAM_PASSWORD)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        run = new ScalerRun();
    }

    @AfterAll
    void stop() throws Exception {
        run.close();
        broker.close();
    }

    private Map<String, Object> params(Map<String, Object> sasl) {
        return Map.of("bootstrapServers", broker.saslBootstrapServers(), "consumerGroup", "secured", "topic", "orders",
                "sasl", sasl);
    }

    private Path secretFile(String name, String value) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, value + "\n");
        return file;
    }

    @Test
    void plainWithThePasswordFromAFile() throws Exception {
        Path password = secretFile("plain-password", PLAIN_PASSWORD);
        assertThat(run.value(params(Map.of("mechanism", "PLAIN", "username", "scaler",
                "passwordFile", password.toString())))).isEqualTo(5);
    }

    @Test
    void scramSha512() throws Exception {
        Path password = secretFile("scram-password", SCRAM_PASSWORD);
        assertThat(run.value(params(Map.of("mechanism", "scram_sha512", "username", "scram-scaler",
                "passwordFile", password.toString())))).isEqualTo(5);
    }

    @Test
    void aRefusedPasswordIsAClearErrorThatNeverShowsItAndARotatedFileIsReadAgain() throws Exception {
        Path password = secretFile("rotating-password", "wr0ng-Passw0rd");
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ScalerRun.Metric metric = run.metric(params(Map.of("mechanism", "PLAIN", "username", "scaler",
                    "passwordFile", password.toString())));
            String failure = metric.failure();
            assertThat(failure).startsWith("cannot read the committed offsets of group \"secured\" from "
                    + broker.saslBootstrapServers() + ": the brokers refused the client's credentials:");
            assertThat(failure).doesNotContain("wr0ng-Passw0rd");
            Files.writeString(password, PLAIN_PASSWORD); // the Secret is updated in place
            assertThat(metric.value()).isEqualTo(5);
            assertThat(run.meter("demand_adapter_kafka_clients_created", broker.saslBootstrapServers()))
                    .as("a new client for the new password").isEqualTo(2);
            metric.close();
        } finally {
            System.setErr(originalErr);
        }
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertThat(logs).contains("refused the client's credentials").doesNotContain("wr0ng-Passw0rd")
                .doesNotContain(PLAIN_PASSWORD);
    }

    private Map<String, Object> tlsParams(Map<String, Object> tls) {
        return Map.of("bootstrapServers", broker.sslBootstrapServers(), "consumerGroup", "secured", "topic", "orders",
                "tls", tls);
    }

    @Test
    void mutualTlsWithPemFiles() throws Exception {
        assertThat(run.value(tlsParams(Map.of("caFile", pki.resolve("ca.crt").toString(),
                "certFile", pki.resolve("scaler.crt").toString(), "keyFile", pki.resolve("scaler.key").toString()))))
                .isEqualTo(5);
    }

    @Test
    void tlsWithoutTheClientCertificateTheBrokerRequiresIsRefused() throws Exception {
        ScalerRun.Metric metric = run.metric(tlsParams(Map.of("caFile", pki.resolve("ca.crt").toString())));
        assertThat(metric.failure()).startsWith("cannot read the committed offsets of group \"secured\" from "
                + broker.sslBootstrapServers() + ": the TLS handshake with the brokers failed (check tls.caFile, and tls.certFile and tls.keyFile if the"
                + " brokers require client certificates)");
        metric.close();
    }

    @Test
    void aKeyInAFormKafkaCannotReadIsNamedWithTheFix() throws Exception {
        Path pkcs1 = pki.resolve("pkcs1.key");
        Files.writeString(pkcs1, "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n");
        ScalerRun.Metric metric = run.metric(tlsParams(Map.of("caFile", pki.resolve("ca.crt").toString(),
                "certFile", pki.resolve("scaler.crt").toString(), "keyFile", pkcs1.toString())));
        assertThat(metric.failure()).isEqualTo("cannot create a Kafka client for " + broker.sslBootstrapServers()
                + ": the key in " + pkcs1 + " is not a PKCS#8 PEM key (BEGIN PRIVATE KEY); Kafka reads no other form."
                + " Convert it with 'openssl pkcs8 -topk8 -nocrypt', or set privateKey.encoding: PKCS8 in cert-manager");
        metric.close();
    }

    @Test
    void secretSourcesNameTheirOriginNotTheirValue() {
        assertThat(SecretSource.ofEnv("PATH").read()).isEqualTo(System.getenv("PATH"));
        assertThat(SecretSource.ofEnv("PATH").toString()).isEqualTo("environment variable PATH");
        try {
            SecretSource.ofEnv("DEMAND_ADAPTER_NO_SUCH_VARIABLE").read();
            throw new AssertionError("read an unset variable");
        } catch (IllegalStateException e) {
            assertThat(e).hasMessage("the environment variable DEMAND_ADAPTER_NO_SUCH_VARIABLE is not set");
        }
    }
}
