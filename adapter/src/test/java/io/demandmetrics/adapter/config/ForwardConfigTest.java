package io.demandmetrics.adapter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.demandmetrics.adapter.registry.ScalerRegistry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The config's {@code forward} list: input to backends, or every problem with its exact message. */
class ForwardConfigTest {

    private static final ConfigParser PARSER = new ConfigParser(ScalerRegistry.of());

    @TempDir
    Path dir;

    @Test
    void aBackendByUrlOrByServiceWithItsDefaults() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.crt"), "PEM");
        AdapterConfig config = PARSER.parse("metrics: []\nforward:\n"
                + "  - {name: keda, url: \"https://keda.example:6443\", groups: [external.metrics.k8s.io], caFile: " + ca + "}\n"
                + "  - {name: prom, service: {namespace: monitoring, name: prometheus-adapter}, groups:"
                + " [custom.metrics.k8s.io, external.metrics.k8s.io], insecureSkipTLSVerify: true, tokenFile: \"\","
                + " timeout: 2s, discoveryInterval: 10s}\n");
        assertThat(config.forward()).containsExactly(
                new ForwardBackend("keda", URI.create("https://keda.example:6443"), null,
                        List.of("external.metrics.k8s.io"), ca.toString(), null, false, ForwardConfig.DEFAULT_TOKEN_FILE, Duration.ofSeconds(5),
                        Duration.ofSeconds(30)),
                new ForwardBackend("prom", URI.create("https://prometheus-adapter.monitoring.svc:443"),
                        new ForwardBackend.Service("monitoring", "prometheus-adapter"),
                        List.of("custom.metrics.k8s.io", "external.metrics.k8s.io"), null, null, true, null,
                        Duration.ofSeconds(2), Duration.ofSeconds(10)));
        assertThat(PARSER.parse("metrics: []\n").forward()).isEmpty();
    }

    @Test
    void aBackendsCaReadFromTheApiServiceThatNamesItsService() throws Exception {
        AdapterConfig config = PARSER.parse("metrics: []\nforward:\n"
                + "  - {name: keda, service: {namespace: keda, name: keda-operator-metrics-apiserver, port: 6443},"
                + " groups: [external.metrics.k8s.io], caFromAPIService: v1beta1.external.metrics.k8s.io}\n");
        assertThat(config.forward()).containsExactly(new ForwardBackend("keda",
                URI.create("https://keda-operator-metrics-apiserver.keda.svc:6443"),
                new ForwardBackend.Service("keda", "keda-operator-metrics-apiserver"), List.of("external.metrics.k8s.io"),
                null, "v1beta1.external.metrics.k8s.io", false, ForwardConfig.DEFAULT_TOKEN_FILE, Duration.ofSeconds(5),
                Duration.ofSeconds(30)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{name: k, url: \"http://k:80\", groups: [external.metrics.k8s.io], insecureSkipTLSVerify: true}"
                + "|forward[0]: field \"url\" value \"http://k:80\" must be https://host[:port], nothing more (the request's path is sent as is)",
        "{name: k, url: \"https://k/apis\", groups: [external.metrics.k8s.io], insecureSkipTLSVerify: true}"
                + "|forward[0]: field \"url\" value \"https://k/apis\" must be https://host[:port], nothing more (the request's path is sent as is)",
        "{name: k, groups: [external.metrics.k8s.io], insecureSkipTLSVerify: true}"
                + "|forward[0]: give exactly one of \"url\" and \"service\"",
        "{name: K_1, url: \"https://k\", groups: [metrics.k8s.io], insecureSkipTLSVerify: true}"
                + "|forward[0]: field \"name\" value \"K_1\" must be a DNS label (lower-case letters, digits, '-');"
                + " forward[0]: field \"groups\" value \"metrics.k8s.io\" is not one of [custom.metrics.k8s.io, external.metrics.k8s.io]",
        "{name: k, url: \"https://k\", groups: [external.metrics.k8s.io]}"
                + "|forward[0]: missing field \"caFile\" or \"caFromAPIService\": the CA of the backend's serving certificate (or insecureSkipTLSVerify: true, as its APIService may say)",
        "{name: k, url: \"https://k\", groups: [external.metrics.k8s.io], caFromAPIService: v1beta1.external.metrics.k8s.io}"
                + "|forward[0]: field \"caFromAPIService\" needs the backend given by \"service\": the APIService's CA is taken only while it names that Service",
        "{name: k, service: {namespace: keda, name: k}, groups: [external.metrics.k8s.io], caFromAPIService: external.metrics.k8s.io}"
                + "|forward[0]: field \"caFromAPIService\" value \"external.metrics.k8s.io\" is not an APIService's name (e.g. v1beta1.external.metrics.k8s.io)",
        "{name: k, service: {namespace: keda, name: k}, groups: [external.metrics.k8s.io], caFromAPIService: v1beta1.external.metrics.k8s.io, insecureSkipTLSVerify: true}"
                + "|forward[0]: fields \"caFile\", \"caFromAPIService\" and \"insecureSkipTLSVerify\" exclude each other",
        "{name: k, url: \"https://k\", groups: [external.metrics.k8s.io], insecureSkipTLSVerify: true, timeout: 1m}"
                + "|forward[0]: field \"timeout\" value \"1m\" is longer than 30s",
        "{name: k, url: \"https://k\", insecureSkipTLSVerify: true, token: x}"
                + "|forward[0]: unknown field \"token\"; known: [caFile, caFromAPIService, discoveryInterval, groups, insecureSkipTLSVerify, name, service, timeout, tokenFile, url];"
                + " forward[0]: missing required field \"groups\" (custom.metrics.k8s.io, external.metrics.k8s.io)",
    })
    void aBadBackendIsRefusedWithEveryProblem(String entry, String problems) {
        ConfigException error = catchThrowableOfType(ConfigException.class,
                () -> PARSER.parse("metrics: []\nforward:\n  - " + entry + "\n"));
        assertThat(error).as("refused").isNotNull();
        assertThat(String.join("; ", error.problems())).isEqualTo(problems);
    }

    @Test
    void twoBackendsWithOneNameAndTooManyBackendsAreRefused() {
        String keda = "  - {name: keda, url: \"https://k\", groups: [external.metrics.k8s.io], insecureSkipTLSVerify: true}\n";
        ConfigException twice = catchThrowableOfType(ConfigException.class,
                () -> PARSER.parse("metrics: []\nforward:\n" + keda + keda));
        assertThat(twice.problems()).containsExactly("forward[1]: another backend is named \"keda\"");
        ConfigException many = catchThrowableOfType(ConfigException.class,
                () -> PARSER.parse("metrics: []\nforward:\n" + keda.repeat(11)));
        assertThat(many.problems()).containsExactly("top-level field \"forward\" lists 11 backends; at most 10");
    }
}
