package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.scaler.spi.Sample;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Requests that break HTTP are the client's fault: a 400 Status, never a 500, and the
 * adapter's own /metrics stays bounded whatever a client sends.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileClientsIT {

    @TempDir
    static Path dir;
    private Adapter adapter;
    private HttpClient client;

    @BeforeAll
    void start() throws Exception {
        TestValuesScalerProvider.set("hostile", List.of(Sample.of(3)));
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                metrics:
                  - name: depth
                    namespace: shop
                    type: test-values
                    parameters: {source: hostile}
                """);
        adapter = TestAdapters.start(dir, config, Clock.systemUTC());
        client = TestAdapters.client(TestAdapters.certFile(dir));
    }

    @AfterAll
    void stop() {
        adapter.stop();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no Host                 | GET /apis HTTP/1.1\\r\\n\\r\\n                                   | missing or malformed Host header",
        "Host with a space       | GET /apis HTTP/1.1\\r\\nHost: a b\\r\\n\\r\\n                     | missing or malformed Host header",
        "Host port out of range  | GET /apis HTTP/1.1\\r\\nHost: x:65536\\r\\n\\r\\n                 | missing or malformed Host header",
        "target not a path       | GET apis HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n                        | the request target must be a path",
        "bad escape in query     | GET /apis?x=%ZZ HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n                 | malformed query string",
        "bad escape in selector  | GET /apis/external.metrics.k8s.io/v1beta1/namespaces/shop/depth?labelSelector=a%3 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n | malformed query string",
        "bad escape, unknown path| GET /nowhere?%zz HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n                  | malformed query string",
        "bad escape in API path  | GET /apis/%ZZ HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n                    | malformed percent-encoding",
        "cut escape, other path  | GET /nowhere/%4 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n                  | malformed percent-encoding in path:",
        "bad escape, other path  | GET /metrics%ZZ HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n                   | malformed percent-encoding in path:",
    })
    void malformedRequestsAreA400Status(String name, String request, String message) throws Exception {
        try (RawTls raw = RawTls.connect(adapter.port())) {
            raw.write(request.replace("\\r\\n", "\r\n"));
            RawTls.Response response = raw.readResponse();
            assertThat(response.code()).as(response.body()).isEqualTo(400);
            JsonObject status = new JsonObject(response.body());
            assertThat(status.getString("kind")).isEqualTo("Status");
            assertThat(status.getString("reason")).isEqualTo("BadRequest");
            assertThat(status.getString("message")).contains(message);
        }
    }

    /**
     * A version that is not {@code HTTP/DIGIT.DIGIT} is the client's fault (400, as Go's server
     * answers); a well-formed one the server does not speak is 505; a higher 1.x minor is served
     * as HTTP/1.1 (RFC 9112, section 2.3). Never 501, whatever else is wrong with the request.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "HTTP/0.9                | GET /apis HTTP/0.9\\r\\nHost: x\\r\\n\\r\\n        | 400",
        "lower case              | GET /apis http/1.1\\r\\nHost: x\\r\\n\\r\\n        | 400",
        "trailing letter         | GET /apis HTTP/1.1x\\r\\nHost: x\\r\\n\\r\\n       | 400",
        "two-digit minor         | GET /apis HTTP/1.10\\r\\nHost: x\\r\\n\\r\\n       | 400",
        "not HTTP                | GET /apis FTP/1.1\\r\\nHost: x\\r\\n\\r\\n         | 400",
        "bad version and no Host | GET /apis HTTP/1.1x\\r\\n\\r\\n                     | 400",
        "bad version, bad target | GET apis http/1.0\\r\\nHost: a b\\r\\n\\r\\n       | 400",
        "HTTP/2.0 over HTTP/1    | GET /apis HTTP/2.0\\r\\nHost: x\\r\\n\\r\\n        | 505",
        "HTTP/3.0                | GET /apis HTTP/3.0\\r\\nHost: x\\r\\n\\r\\n        | 505",
        "HTTP/1.2                | GET /apis HTTP/1.2\\r\\nHost: x\\r\\n\\r\\n        | 200",
    })
    void malformedVersionsAreA400AndUnsupportedOnesA505(String name, String request, int code) throws Exception {
        try (RawTls raw = RawTls.connect(adapter.port())) {
            raw.write(request.replace("\\r\\n", "\r\n"));
            RawTls.Response response = raw.readResponse();
            assertThat(response.code()).as(response.headers() + response.body()).isEqualTo(code);
            if (code != 200) {
                assertThat(new JsonObject(response.body()).getString("kind")).isEqualTo("Status");
                assertThat(raw.closedByServer()).as("the connection is closed after the answer").isTrue();
            }
        }
    }

    @Test
    void http1RequestTooLargeIsA414Or431WithAStatus() throws Exception {
        try (RawTls raw = RawTls.connect(adapter.port())) {
            raw.write("GET /apis/" + "a".repeat(12 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            RawTls.Response response = raw.readResponse();
            assertThat(response.code()).isEqualTo(414);
            assertThat(new JsonObject(response.body()).getString("reason")).isEqualTo("RequestURITooLong");
        }
        try (RawTls raw = RawTls.connect(adapter.port())) {
            raw.write("GET /apis HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(12 * 1024) + "\r\n\r\n");
            RawTls.Response response = raw.readResponse();
            assertThat(response.code()).isEqualTo(431);
            assertThat(new JsonObject(response.body()).getString("reason")).isEqualTo("RequestHeaderFieldsTooLarge");
        }
    }

    @Test
    void http2PathTooLongIsA414OnItsStreamAndTheConnectionServesOn() throws Exception {
        List<RawHttp2.Response> responses = RawHttp2.sendInTurn(adapter.port(), List.of(
                new DefaultHttp2Headers().method("GET").scheme("https").authority("x").path("/apis/" + "a".repeat(12 * 1024)),
                new DefaultHttp2Headers().method("GET").scheme("https").authority("x").path("/apis")));
        assertThat(responses.get(0).code()).as(responses.get(0).body()).isEqualTo(414);
        assertThat(new JsonObject(responses.get(0).body()).getString("reason")).isEqualTo("RequestURITooLong");
        assertThat(responses.get(1).code()).as("the next stream on the same connection").isEqualTo(200);
    }

    @Test
    void serverWideOptionsIsAnsweredEmpty() throws Exception {
        try (RawTls raw = RawTls.connect(adapter.port())) {
            raw.write("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
            RawTls.Response response = raw.readResponse();
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body()).isEmpty();
        }
    }

    @Test
    void http2RequestWithoutAuthorityIsA400() throws Exception {
        RawHttp2.Response response = RawHttp2.send(adapter.port(),
                new DefaultHttp2Headers().method("GET").scheme("https").path("/apis"));
        assertThat(response.code()).as(response.body()).isEqualTo(400);
        assertThat(new JsonObject(response.body()).getString("message")).contains(":authority");
    }

    @Test
    void http2RequestWithAuthorityIsServed() throws Exception { // the helper itself works
        RawHttp2.Response response = RawHttp2.send(adapter.port(),
                new DefaultHttp2Headers().method("GET").scheme("https").authority("x").path("/apis"));
        assertThat(response.code()).as(response.body()).isEqualTo(200);
    }

    @Test
    void madeUpMethodsAndRejectedRequestsLeaveMetricsBounded() throws Exception {
        hostileRound(0, 10); // the first of each kind adds its route's series once
        TestAdapters.get(client, adapter, "/metrics"); // and so does the first scrape, once it has ended
        String before = TestAdapters.get(client, adapter, "/metrics").body();
        hostileRound(10, 60);
        String after = TestAdapters.get(client, adapter, "/metrics").body();
        assertThat(after).doesNotContain("M17X").doesNotContain("M59X");
        assertThat(seriesCount(after)).as("series after 100 more hostile requests").isEqualTo(seriesCount(before));
        // Only the /metrics request itself is in flight while it is answered.
        assertThat(after).containsPattern("(?m)^demand_adapter_http_requests_in_flight 1\\.0$");
    }

    private void hostileRound(int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            try (RawTls raw = RawTls.connect(adapter.port())) {
                raw.write("M" + i + "X /apis HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(raw.readResponse().code()).isBetween(400, 499);
            }
            try (RawTls raw = RawTls.connect(adapter.port())) { // rejected by the decoder: a header too large
                raw.write("GET /apis HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
                assertThat(raw.readResponse().code()).isBetween(400, 499);
            }
        }
    }

    /** Series a client can influence: the adapter's and Vert.x's (the JVM's own come and go with GC causes). */
    private static long seriesCount(String exposition) {
        return exposition.lines().filter(l -> l.startsWith("demand_adapter_") || l.startsWith("vertx_")).count();
    }
}
