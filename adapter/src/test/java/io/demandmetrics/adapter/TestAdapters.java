package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.tls.SelfSignedCertificate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Starts adapters on free ports and talks to them the way clients do. */
final class TestAdapters {

    private TestAdapters() {
    }

    /** Starts a standalone adapter on a free port with a self-signed certificate in {@code dir}/certs. */
    static Adapter start(Path dir, Path config, Clock clock, String... extraFlags) throws Exception {
        List<String> args = new ArrayList<>(List.of("--standalone", "--config", config.toString(),
                "--cert-dir", dir.resolve("certs").toString(), "--secure-port", "0", "--event-loops", "1"));
        args.addAll(List.of(extraFlags));
        return Adapter.start(AdapterOptions.parse(args.toArray(String[]::new)), clock);
    }

    /** An HTTP/2-capable client that trusts exactly the certificate in {@code certFile}. */
    static HttpClient client(Path certFile) throws Exception {
        return client(certFile, null);
    }

    /** The same, presenting the client certificate in {@code clientKeys} when not null. */
    static HttpClient client(Path certFile, KeyManagerFactory clientKeys) throws Exception {
        return HttpClient.newBuilder().sslContext(sslContext(certFile, clientKeys)).version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** TLS that trusts exactly the certificate in {@code certFile}, presenting {@code clientKeys} if not null. */
    static SSLContext sslContext(Path certFile, KeyManagerFactory clientKeys) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("adapter", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certFile))));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(clientKeys == null ? null : clientKeys.getKeyManagers(), factory.getTrustManagers(), null);
        return ssl;
    }

    static Path certFile(Path dir) {
        return dir.resolve("certs").resolve(SelfSignedCertificate.CERT_FILE);
    }

    static HttpResponse<String> get(HttpClient client, Adapter adapter, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(adapter.url() + path)).timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json, */*").GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A custom metric's answer as the HPA reads it, through the front proxy as the HPA's
     * service account: each described object's value in thousandths (the quantities' milli
     * values), by object name. Asserts the answer is a 200.
     *
     * @param path under the adapter, e.g. {@code /apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*\/m}
     */
    static Map<String, Long> milliValuesByObject(HttpClient frontProxy, Adapter adapter, String path)
            throws Exception {
        HttpResponse<String> response = frontProxy.send(HttpRequest.newBuilder(URI.create(adapter.url()
                        + path.replace("*", "%2A")))
                .header("X-Remote-User", "system:serviceaccount:kube-system:horizontal-pod-autoscaler")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, Long> values = new java.util.TreeMap<>();
        io.vertx.core.json.JsonArray items = new io.vertx.core.json.JsonObject(response.body()).getJsonArray("items");
        for (int i = 0; i < items.size(); i++) {
            io.vertx.core.json.JsonObject item = items.getJsonObject(i);
            values.put(item.getJsonObject("describedObject").getString("name"),
                    HpaArithmetic.milliValue(item.getString("value")));
        }
        return values;
    }

    /**
     * A series' value in a Prometheus text exposition (the adapter's /metrics): the first
     * sample of {@code name} whose labels include each of {@code labels} ({@code key="value"}).
     *
     * @throws AssertionError when there is none
     */
    static double meter(String exposition, String name, String... labels) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name)) {
                continue;
            }
            char after = line.length() > name.length() ? line.charAt(name.length()) : '?';
            int end = line.lastIndexOf(' ');
            String series = line.substring(0, end);
            if ((after == ' ' || after == '{') && java.util.Arrays.stream(labels).allMatch(series::contains)) {
                return Double.parseDouble(line.substring(end + 1));
            }
        }
        throw new AssertionError(name + " " + java.util.Arrays.toString(labels) + " not in the exposition");
    }

    /** A port free on this machine now (for a process or proxy that must be told its port before it listens). */
    static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Two free ports, distinct: both held open while the second is found (two calls of
     * {@link #freePort} can be given the same port, just released, and a process told to
     * listen on both then fails with "Address already in use").
     */
    static int[] twoFreePorts() throws IOException {
        try (java.net.ServerSocket first = new java.net.ServerSocket(0);
             java.net.ServerSocket second = new java.net.ServerSocket(0)) {
            return new int[] {first.getLocalPort(), second.getLocalPort()};
        }
    }

    /** The real kubectl, as test-components.md prescribes: own kubeconfig and cache dir. */
    static KubectlResult kubectl(Path dir, Adapter adapter, String path) throws IOException, InterruptedException {
        Path kubeconfig = StandaloneKubeconfig.write(dir.resolve("kubectl"), adapter.url(), certFile(dir));
        return kubectl(kubeconfig, dir.resolve("kubectl-cache"), path);
    }

    /** {@code kubectl get --raw path} with this kubeconfig. */
    static KubectlResult kubectl(Path kubeconfig, Path cacheDir, String path) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("kubectl", "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", cacheDir.toString(), "get", "--raw", path)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new KubectlResult(process.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8));
    }

    /**
     * A kubeconfig in {@code dir} for {@code adapter}, trusting the certificate the adapter
     * serves from {@code dir}/certs and presenting {@code user}'s client certificate.
     */
    static Path clientCertificateKubeconfig(Path dir, Adapter adapter, TestCertificates.Issued user)
            throws Exception {
        Files.writeString(dir.resolve("client.crt"), user.certificatePem());
        Files.writeString(dir.resolve("client.key"), user.keyPem());
        return Files.writeString(dir.resolve("kubectl.kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: adapter, cluster: {server: "%s", certificate-authority: "%s"}}]
                users: [{name: user, user: {client-certificate: "%s", client-key: "%s"}}]
                contexts: [{name: adapter, context: {cluster: adapter, user: user}}]
                current-context: adapter
                """.formatted(adapter.url(), certFile(dir), dir.resolve("client.crt"), dir.resolve("client.key")));
    }

    record KubectlResult(int exitCode, String stdout, String stderr) {
    }
}
