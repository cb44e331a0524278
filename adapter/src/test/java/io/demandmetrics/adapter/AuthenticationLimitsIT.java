package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Kubernetes API that hangs or fails: each authentication or authorization step is bounded,
 * sent once (no retry storm), and the request fails closed with a clear Status.
 */
class AuthenticationLimitsIT {

    private static final String METRIC = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue-depth";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "API that {0}")
    @ValueSource(strings = {"hangs", "answers 500"})
    void aBadApiCostsOneReviewAndAFastClosedAnswer(String behaviour) throws Exception {
        try (BadApi api = new BadApi(behaviour.equals("hangs"))) {
            TestValuesScalerProvider.set("limits", List.of(Sample.of(1)));
            TestCertificates frontProxyCa = new TestCertificates("limits-front-proxy-ca");
            TestCertificates clientCa = new TestCertificates("limits-client-ca");
            frontProxyCa.writeCa(dir.resolve("front-proxy-ca.crt"));
            clientCa.writeCa(dir.resolve("client-ca.crt"));
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: bad, cluster: {server: "http://127.0.0.1:%d"}}]
                    users: [{name: adapter, user: {token: t}}]
                    contexts: [{name: bad, context: {cluster: bad, user: adapter}}]
                    current-context: bad
                    """.formatted(api.port()));
            Path config = dir.resolve("config.yaml");
            Files.writeString(config, "metrics:\n  - {name: queue-depth, namespace: shop, type: test-values,"
                    + " parameters: {source: limits}}\n");
            Adapter adapter = Adapter.start(AdapterOptions.parse("--config", config.toString(), "--kubeconfig",
                    kubeconfig.toString(), "--bind-address", "127.0.0.1", "--secure-port", "0", "--event-loops", "1",
                    "--cert-dir", dir.resolve("certs").toString(),
                    "--requestheader-client-ca-file", dir.resolve("front-proxy-ca.crt").toString(),
                    "--client-ca-file", dir.resolve("client-ca.crt").toString()), Clock.systemUTC());
            try {
                HttpClient frontProxy = TestAdapters.client(TestAdapters.certFile(dir),
                        frontProxyCa.client("front-proxy-client"));
                HttpResponse<String> authorization = frontProxy.send(HttpRequest.newBuilder(
                                URI.create(adapter.url() + METRIC)).header("X-Remote-User", "alice")
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(authorization.statusCode()).isEqualTo(503);
                assertThat(new JsonObject(authorization.body()).getString("message"))
                        .startsWith("cannot check authorization: the Kubernetes API did not answer");
                // Reviews only: the informers' own lists (DemandMetrics, say) are not the request's cost.
                assertThat(api.requests()).filteredOn(request -> request.contains("reviews"))
                        .as("SubjectAccessReviews sent").containsExactly(
                        "POST /apis/authorization.k8s.io/v1/subjectaccessreviews");

                HttpClient anonymous = TestAdapters.client(TestAdapters.certFile(dir));
                HttpResponse<String> token = anonymous.send(HttpRequest.newBuilder(URI.create(adapter.url() + METRIC))
                        .header("Authorization", "Bearer some-token").timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(token.statusCode()).isEqualTo(401);
                assertThat(new JsonObject(token.body()).getString("message"))
                        .startsWith("cannot review the bearer token: the Kubernetes API did not answer within 5s")
                        .doesNotContain("some-token");
                assertThat(api.requests()).filteredOn(request -> request.contains("reviews")).containsExactly(
                        "POST /apis/authorization.k8s.io/v1/subjectaccessreviews",
                        "POST /apis/authentication.k8s.io/v1/tokenreviews");
            } finally {
                adapter.stop();
            }
        }
    }

    /** An HTTP server that counts requests and either never answers or answers 500. */
    private static final class BadApi implements AutoCloseable {

        private final ServerSocket server = new ServerSocket(0);
        private final List<String> requests = new CopyOnWriteArrayList<>();
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        BadApi(boolean hang) throws IOException {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        held.add(socket);
                        Thread worker = new Thread(() -> serve(socket, hang), "bad-api-connection");
                        worker.setDaemon(true);
                        worker.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "bad-api");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void serve(Socket socket, boolean hang) {
            try (socket) {
                InputStream in = socket.getInputStream();
                while (true) {
                    String head = readHead(in);
                    if (head == null) {
                        return;
                    }
                    requests.add(head.substring(0, head.indexOf(" HTTP/")));
                    int length = 0;
                    for (String line : head.split("\r\n")) {
                        if (line.toLowerCase().startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                    in.readNBytes(length);
                    if (hang) {
                        in.read(); // until the client gives up and closes
                        return;
                    }
                    byte[] body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":500}"
                            .getBytes(StandardCharsets.UTF_8);
                    OutputStream out = socket.getOutputStream();
                    out.write(("HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: "
                            + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body);
                    out.flush();
                }
            } catch (IOException e) {
                // the client closed
            }
        }

        private static String readHead(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                head.append((char) b);
            }
            return head.toString();
        }

        int port() {
            return server.getLocalPort();
        }

        List<String> requests() {
            return List.copyOf(requests);
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : held) {
                socket.close();
            }
        }
    }
}
