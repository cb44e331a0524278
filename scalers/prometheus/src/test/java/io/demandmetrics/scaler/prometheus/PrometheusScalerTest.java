package io.demandmetrics.scaler.prometheus;

import io.demandmetrics.prometheus.client.SigV4;
import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.support.ClientExchange;
import io.demandmetrics.scaler.testkit.TestScalerContext;
import io.demandmetrics.testfixtures.PrometheusServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code prometheus} scaler against a real Prometheus (the Debian package): KEDA's
 * readings of single, empty, NaN and several-series answers, Prometheus' own errors, and what
 * goes on the wire (headers, namespace, parameters, auth) through a front that records each
 * request and passes it on.
 */
class PrometheusScalerTest {

    private static Vertx vertx;
    private static PrometheusServer prometheus;
    private static HttpServer front;
    /** What the front received: the request line and the headers that matter here. */
    private static final List<Map<String, String>> received = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        vertx = Vertx.vertx();
        prometheus = PrometheusServer.startWithConfig(dir, "global: {evaluation_interval: 1s}\nscrape_configs: []\n");
        HttpClient forward = vertx.createHttpClient();
        front = vertx.createHttpServer().requestHandler(request -> {
            received.add(Map.of("uri", request.uri(),
                    "authorization", String.valueOf(request.getHeader("Authorization")),
                    "tenant", String.valueOf(request.getHeader("X-Scope-OrgID")),
                    "host", String.valueOf(request.getHeader("Host")),
                    "date", String.valueOf(request.getHeader("X-Amz-Date")),
                    "token", String.valueOf(request.getHeader("X-Amz-Security-Token"))));
            ClientExchange.send(forward, new RequestOptions().setAbsoluteURI(prometheus.url() + request.uri()),
                    answer -> answer.body().map(body -> {
                        request.response().setStatusCode(answer.statusCode())
                                .putHeader("Content-Type", "application/json").end(body);
                        return body;
                    })).onFailure(error -> request.response().setStatusCode(502).end());
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // Ready once it answers a query.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> prometheus.query("vector(1)", null).size() == 1);
    }

    @AfterAll
    static void stop() throws Exception {
        prometheus.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String frontUrl() {
        return "http://127.0.0.1:" + front.actualPort();
    }

    private static Scaler scaler(String query, Map<String, Object> extra, String describes) throws Exception {
        Map<String, Object> parameters = new HashMap<>(Map.of("serverAddress", frontUrl(), "query", query));
        parameters.putAll(extra);
        PrometheusScalerProvider provider = new PrometheusScalerProvider();
        return new TestScalerContext(vertx, "prometheus", "shop/orders").describing(describes).createScaler(provider,
                provider.parseConfig(parameters));
    }

    private static List<Sample> fetch(String query, Map<String, Object> extra) throws Exception {
        return fetch(query, extra, "external");
    }

    private static List<Sample> fetch(String query, Map<String, Object> extra, String describes) throws Exception {
        Scaler scaler = scaler(query, extra, describes);
        try {
            return scaler.fetch().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } finally {
            scaler.close();
        }
    }

    /** The poll's error message; fails the test when the poll succeeds. */
    private static String failure(String query, Map<String, Object> extra) throws Exception {
        return failure(query, extra, "external");
    }

    private static String failure(String query, Map<String, Object> extra, String describes) throws Exception {
        try {
            List<Sample> samples = fetch(query, extra, describes);
            throw new AssertionError("expected the poll to fail, it served " + samples);
        } catch (ExecutionException e) {
            return e.getCause().getMessage();
        }
    }

    private static List<Double> values(List<Sample> samples) {
        return samples.stream().map(Sample::value).toList();
    }

    @Test
    void oneSampleIsServedAsItIs() throws Exception {
        assertThat(values(fetch("vector(42.5)", Map.of()))).containsExactly(42.5);
        assertThat(values(fetch("scalar(vector(7))", Map.of()))).containsExactly(7.0);
    }

    @Test
    void anEmptyAnswerIsZeroUnlessNullValuesAreNotIgnored() throws Exception {
        assertThat(values(fetch("no_such_series_anywhere", Map.of()))).containsExactly(0.0);
        assertThat(failure("no_such_series_anywhere", Map.of("ignoreNullValues", false)))
                .isEqualTo("the query returned no series (ignoreNullValues is false): its target may be lost");
    }

    @Test
    void notANumberIsZeroUnlessNullValuesAreNotIgnored() throws Exception {
        assertThat(values(fetch("vector(0) / 0", Map.of()))).containsExactly(0.0);
        assertThat(failure("vector(0) / 0", Map.of("ignoreNullValues", "false")))
                .isEqualTo("the query returned NaN (ignoreNullValues is false)");
    }

    @Test
    void severalSeriesAreServedWithTheirLabelsWhereKedaRefusesThem() throws Exception {
        List<Sample> samples = fetch("label_replace(vector(1), \"queue\", \"a\", \"\", \"\")"
                + " or label_replace(vector(2), \"queue\", \"b\", \"\", \"\")", Map.of());
        assertThat(samples).extracting(s -> s.labels().get("queue"), Sample::value)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("a", 1.0),
                        org.assertj.core.groups.Tuple.tuple("b", 2.0));
        assertThat(samples).allSatisfy(s -> assertThat(s.timestamp()).isNotNull());
    }

    @Test
    void prometheusErrorsAreTheMetricsErrorInPrometheusWords() throws Exception {
        assertThat(failure("sum(", Map.of())).startsWith("Prometheus answered bad_data: ").contains("parse error");
        assertThat(failure("vector(1)[5m]", Map.of())).startsWith("Prometheus answered bad_data: ");
        assertThat(failure("up[5m]", Map.of()))
                .startsWith("the query must give an instant vector or a scalar, not a matrix");
    }

    @Test
    void headersNamespaceParametersAndBearerTokenGoOnTheWire(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "s3cret-token\n");
        received.clear();
        assertThat(values(fetch("vector(3)", Map.of("customHeaders", "X-Scope-OrgID=team-a, X-Other=1",
                "namespace", "shop", "queryParameters", Map.of("dedup", "true"),
                "bearerTokenFile", token.toString())))).containsExactly(3.0);
        assertThat(received).hasSize(1);
        Map<String, String> request = received.get(0);
        assertThat(request.get("uri")).startsWith("/api/v1/query?query=vector%283%29&time=")
                .contains("&namespace=shop").contains("&dedup=true");
        assertThat(request.get("tenant")).isEqualTo("team-a");
        assertThat(request.get("authorization")).isEqualTo("Bearer s3cret-token");

        Path password = Files.writeString(dir.resolve("password"), "pa55");
        received.clear();
        fetch("vector(3)", Map.of("username", "scaler", "passwordFile", password.toString()));
        assertThat(received.get(0).get("authorization")).isEqualTo("Basic c2NhbGVyOnBhNTU="); // scaler:pa55
    }

    @Test
    void aServerThatIsDownIsAClearErrorWithoutSecrets(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "s3cret-token");
        String message = failure("vector(1)", Map.of("serverAddress", "http://127.0.0.1:1",
                "bearerTokenFile", token.toString()));
        assertThat(message).startsWith("cannot query http://127.0.0.1:1: ").doesNotContain("s3cret");
    }

    @Test
    void aPodsMetricServesEachSeriesForThePodItsPodLabelNames() throws Exception {
        String perPod = "label_replace(vector(5), \"pod\", \"web-1\", \"\", \"\")"
                + " or label_replace(vector(7), \"pod\", \"web-2\", \"\", \"\")";
        assertThat(fetch(perPod, Map.of(), "pods")).extracting(s -> s.object().name(), Sample::value)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("web-1", 5.0),
                        org.assertj.core.groups.Tuple.tuple("web-2", 7.0));
        String byService = "label_replace(vector(9), \"service\", \"checkout\", \"\", \"\")";
        assertThat(fetch(byService, Map.of("objectLabel", "service"), "services"))
                .extracting(s -> s.object().name(), Sample::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("checkout", 9.0));
        assertThat(failure("sum(vector(5))", Map.of(), "pods")).isEqualTo("none of the query's 1 series has the"
                + " label \"pod\" that names the object (parameter \"objectLabel\"): add it to the query's"
                + " \"by (...)\"");
    }

    /**
     * SigV4 as Amazon Managed Prometheus checks it: the front recomputes the signature of the
     * request it received (its host, path and query as they came over the wire, its X-Amz-Date)
     * with the AWS SDK's signer and the same credentials, and it must equal the one sent. No AWS
     * endpoint is reachable here; this proves that what is sent is what was signed.
     */
    @Test
    void sigV4SignsTheRequestThatIsSent() throws Exception {
        System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
        System.setProperty("aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        try {
            received.clear();
            assertThat(values(fetch("vector(3) + 1 * 2", Map.of("awsRegion", "eu-west-1")))).containsExactly(5.0);
            Map<String, String> request = received.get(0);
            assertThat(request.get("authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                    .contains("/eu-west-1/aps/aws4_request");
            java.time.Instant signedAt = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                    .withZone(java.time.ZoneOffset.UTC).parse(request.get("date"), java.time.Instant::from);
            Map<String, String> expected = SigV4.headers(java.net.URI.create("http://" + request.get("host")
                            + request.get("uri")),
                    software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("AKIDEXAMPLE",
                            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                    "eu-west-1", java.time.Clock.fixed(signedAt, java.time.ZoneOffset.UTC));
            assertThat(request.get("authorization")).isEqualTo(expected.get("Authorization"));
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    /**
     * SigV4 with {@code roleArn}: the adapter assumes the role through STS with the default
     * chain's credentials and signs with the session it gets. STS is a local stand-in reached
     * the way a VPC endpoint is ({@code aws.endpointUrlSts}, the SDK's own setting); it checks
     * the AssumeRole call and answers temporary credentials, with which the front recomputes
     * the signature. Two metrics on the same role share one session: one AssumeRole call.
     */
    @Test
    void sigV4WithARoleSignsWithTheAssumedRolesSession() throws Exception {
        String role = "arn:aws:iam::123456789012:role/amp-query";
        List<String> assumeCalls = new CopyOnWriteArrayList<>();
        HttpServer sts = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            assumeCalls.add(java.net.URLDecoder.decode(body.toString(), java.nio.charset.StandardCharsets.UTF_8)
                    + " signed by " + request.getHeader("Authorization"));
            request.response().putHeader("Content-Type", "text/xml").end("""
                    <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                      <AssumeRoleResult>
                        <Credentials>
                          <AccessKeyId>ASIATEMPEXAMPLE</AccessKeyId>
                          <SecretAccessKey>temporary/secret</SecretAccessKey>
                          <SessionToken>session-token-1</SessionToken>
                          <Expiration>%s</Expiration>
                        </Credentials>
                        <AssumedRoleUser>
                          <Arn>arn:aws:sts::123456789012:assumed-role/amp-query/demand-metrics-adapter</Arn>
                          <AssumedRoleId>AROAEXAMPLE:demand-metrics-adapter</AssumedRoleId>
                        </AssumedRoleUser>
                      </AssumeRoleResult>
                      <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>
                    </AssumeRoleResponse>
                    """.formatted(java.time.Instant.now().plusSeconds(3600).truncatedTo(
                    java.time.temporal.ChronoUnit.SECONDS)));
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        System.setProperty("aws.accessKeyId", "AKIDBASE");
        System.setProperty("aws.secretAccessKey", "base/secret");
        System.setProperty("aws.endpointUrlSts", "http://127.0.0.1:" + sts.actualPort());
        Scaler first = scaler("vector(4)", Map.of("awsRegion", "eu-west-1", "roleArn", role), "external");
        Scaler second = scaler("vector(6)", Map.of("awsRegion", "eu-west-1", "roleArn", role), "external");
        try {
            received.clear();
            assertThat(values(first.fetch().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS)))
                    .containsExactly(4.0);
            assertThat(values(second.fetch().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS)))
                    .containsExactly(6.0);
            assertThat(assumeCalls).singleElement().satisfies(call -> assertThat(call)
                    .contains("Action=AssumeRole", "RoleArn=" + role, "RoleSessionName=demand-metrics-adapter")
                    .contains("Credential=AKIDBASE/"));
            for (Map<String, String> request : received) {
                assertThat(request.get("authorization")).startsWith("AWS4-HMAC-SHA256 Credential=ASIATEMPEXAMPLE/");
                assertThat(request.get("token")).isEqualTo("session-token-1");
                java.time.Instant signedAt = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                        .withZone(java.time.ZoneOffset.UTC).parse(request.get("date"), java.time.Instant::from);
                Map<String, String> expected = SigV4.headers(java.net.URI.create("http://" + request.get("host")
                                + request.get("uri")),
                        software.amazon.awssdk.auth.credentials.AwsSessionCredentials.create("ASIATEMPEXAMPLE",
                                "temporary/secret", "session-token-1"),
                        "eu-west-1", java.time.Clock.fixed(signedAt, java.time.ZoneOffset.UTC));
                assertThat(request.get("authorization")).isEqualTo(expected.get("Authorization"));
            }
            assertThat(received).hasSize(2);
        } finally {
            first.close();
            second.close();
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
            System.clearProperty("aws.endpointUrlSts");
            sts.close();
        }
    }
}
