package io.demandmetrics.scaler.prometheus;

import io.demandmetrics.prometheus.client.SigV4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.Sample;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** KEDA's parameters read as KEDA reads them, and what is refused here said with the way out. */
class PrometheusConfigTest {

    private final PrometheusScalerProvider provider = new PrometheusScalerProvider();

    private PrometheusConfig parse(Map<String, Object> extra) throws InvalidConfigException {
        Map<String, Object> parameters = new HashMap<>(Map.of("serverAddress", "http://prometheus:9090/",
                "query", "sum(rate(http_requests_total[2m]))"));
        parameters.putAll(extra);
        return provider.parseConfig(parameters);
    }

    private List<String> problems(Map<String, Object> parameters) {
        try {
            provider.parseConfig(parameters);
        } catch (InvalidConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected problems for " + parameters);
    }

    @Test
    void kedasDefaultsAndForms() throws Exception {
        PrometheusConfig config = parse(Map.of("customHeaders", "X-Scope-OrgID=team-a,X-Client=c1",
                "queryParameters", "dedup=true", "activationThreshold", "5.5"));
        assertThat(config.endpoint().server()).hasToString("http://prometheus:9090");
        assertThat(config.ignoreNullValues()).isTrue();
        assertThat(config.activationThreshold()).isEqualTo(5.5);
        assertThat(config.endpoint().customHeaders()).containsExactlyInAnyOrderEntriesOf(Map.of("X-Scope-OrgID", "team-a",
                "X-Client", "c1"));
        assertThat(config.endpoint().queryParameters()).containsExactlyEntriesOf(Map.of("dedup", "true"));
        assertThat(config.endpoint().timeout()).isNull();
        assertThat(parse(Map.of("customHeaders", Map.of("X-Scope-OrgID", "team-b"))).endpoint().customHeaders())
                .containsExactlyEntriesOf(Map.of("X-Scope-OrgID", "team-b"));
    }

    @Test
    void whatKedaTakesThatBelongsElsewhereIsRefusedWithTheWayOut() {
        assertThat(problems(Map.of("serverAddress", "http://p:9090", "query", "up", "threshold", "100",
                "bearerToken", "abc", "authModes", "bearer"))).containsExactlyInAnyOrder(
                "parameter \"threshold\" is the HPA's target here, not a scaler parameter: put it in the HPA as"
                        + " target: {type: AverageValue, averageValue: \"100\"} (or Value)",
                "parameter \"bearerToken\": secrets are not written in the config; give a file (a mounted Secret)"
                        + " with \"bearerTokenFile\"",
                "parameter \"authModes\" is not needed here: bearer, basic or TLS client auth follows from the files"
                        + " given (bearerTokenFile; username and passwordFile; certFile and keyFile)");
        assertThat(problems(Map.of("serverAddress", "http://p:9090", "query", "up", "password", "x")))
                .anySatisfy(problem -> assertThat(problem).doesNotContain("\"x\""));
    }

    @Test
    void badAddressesHeadersAndParametersAreNamed() {
        assertThat(problems(Map.of("serverAddress", "prometheus:9090", "query", " ")))
                .anySatisfy(p -> assertThat(p).contains("serverAddress").contains("is not an http(s) URL"))
                .anySatisfy(p -> assertThat(p).contains("query").contains("must not be"));
        assertThat(problems(Map.of("serverAddress", "http://p:9090", "query", "up", "customHeaders", "Bad Name=1",
                "queryParameters", "time=1")))
                .anySatisfy(p -> assertThat(p).contains("\"Bad Name\" is not an HTTP header name"))
                .anySatisfy(p -> assertThat(p).contains("sets \"time\", which the scaler sets itself"));
        assertThat(problems(Map.of("serverAddress", "http://p:9090", "query", "up", "unsafeSsl", true)))
                .contains("\"caFile\", \"certFile\", \"keyFile\" and \"unsafeSsl\" need an https serverAddress");
        assertThat(problems(Map.of("serverAddress", "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1",
                "query", "up", "awsRegion", "Europe", "username", "u", "passwordFile", "/etc/hostname")))
                .anySatisfy(p -> assertThat(p).contains("\"awsRegion\" value \"Europe\" is not an AWS region"))
                .anySatisfy(p -> assertThat(p).contains("signs queries with SigV4: it cannot be combined"));
        assertThat(problems(Map.of("serverAddress", "http://p:9090", "query", "up", "roleArn",
                "arn:aws:iam::123456789012:role/amp-query"))).containsExactly("\"roleArn\" is the role that signs"
                + " queries with SigV4: it needs \"awsRegion\"");
        assertThat(problems(Map.of("serverAddress", "http://p:9090", "query", "up", "awsRegion", "eu-west-1",
                "roleArn", "amp-query"))).containsExactly("parameter \"roleArn\" value \"amp-query\" is not an IAM"
                + " role ARN (arn:aws:iam::123456789012:role/name)");
    }

    @Test
    void activationServesZeroAtOrBelowTheThresholdInTotal() throws Exception {
        PrometheusConfig config = parse(Map.of("activationThreshold", 5));
        List<Sample> low = List.of(Sample.of(Map.of("q", "a"), 2), Sample.of(Map.of("q", "b"), 3));
        assertThat(provider.combine(config, low, false)).extracting(Sample::value).containsExactly(0.0, 0.0);
        List<Sample> high = List.of(Sample.of(Map.of("q", "a"), 2), Sample.of(Map.of("q", "b"), 3.5));
        assertThat(provider.combine(config, high, false)).extracting(Sample::value).containsExactly(2.0, 3.5);
        assertThatThrownBy(() -> parse(Map.of("activationThreshold", "many"))).isInstanceOf(InvalidConfigException.class);
    }
}
