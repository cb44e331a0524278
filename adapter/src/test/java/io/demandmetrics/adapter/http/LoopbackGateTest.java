package io.demandmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Standalone mode's gate on real connections: a server listening on every address admits what
 * arrives on a loopback address, IPv4 or IPv6, and refuses what arrives on the machine's network
 * address, unless client certificates are required (then TLS has checked the client already).
 */
class LoopbackGateTest {

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A server on {@code host} that answers 200 when the gate admits a request, else 401. */
    private int serve(String host, LoopbackGate gate) throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(request -> gate.admit(request)
                .onSuccess(admitted -> request.response().setStatusCode(200).end())
                .onFailure(refused -> request.response().setStatusCode(401).end(refused.getMessage())));
        return server.listen(0, host).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    }

    private HttpResponse<String> get(String host, int port) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An IPv4 address of this machine's that is not loopback: what a neighbour's request arrives on. */
    private static String networkAddress() throws Exception {
        return NetworkInterface.networkInterfaces().filter(network -> {
            try {
                return network.isUp() && !network.isLoopback();
            } catch (java.net.SocketException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).filter(address -> address instanceof Inet4Address)
                .map(InetAddress::getHostAddress).findFirst()
                .orElseThrow(() -> new AssertionError("this machine has no network address besides loopback"));
    }

    @Test
    void anonymousRequestsAreServedOnLoopbackOnly() throws Exception {
        LoopbackGate anonymous = new LoopbackGate(false);
        int everywhere = serve("0.0.0.0", anonymous);
        assertThat(get("127.0.0.1", everywhere).statusCode()).isEqualTo(200);
        HttpResponse<String> neighbour = get(networkAddress(), everywhere);
        assertThat(neighbour.statusCode()).isEqualTo(401);
        assertThat(neighbour.body()).isEqualTo("anonymous requests are served on loopback only");
        // Every request, not only a connection's first: a second on the same connection as well.
        assertThat(get(networkAddress(), everywhere).statusCode()).isEqualTo(401);
        assertThat(get("[::1]", serve("::1", anonymous)).statusCode()).isEqualTo(200);
    }

    @Test
    void withClientCertificatesRequiredEveryAddressIsAdmitted() throws Exception {
        int everywhere = serve("0.0.0.0", new LoopbackGate(true));
        assertThat(get(networkAddress(), everywhere).statusCode()).isEqualTo(200);
        assertThat(get("127.0.0.1", everywhere).statusCode()).isEqualTo(200);
    }
}
