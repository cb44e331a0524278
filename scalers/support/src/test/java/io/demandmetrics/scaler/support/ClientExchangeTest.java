package io.demandmetrics.scaler.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Against a real Vert.x server, over HTTP/1.1 and HTTP/2 (cleartext, prior knowledge). */
class ClientExchangeTest {

    private Vertx vertx;
    private HttpServer server;
    private HttpClient client;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1"))
                .requestHandler(request -> request.body().onSuccess(body -> {
                    if (request.path().equals("/teapot")) {
                        request.response().setStatusCode(418).end("short and stout");
                    } else {
                        request.response().end(request.method() + " " + request.version() + " " + body);
                    }
                }));
        await(server.listen(0));
    }

    @AfterEach
    void stop() throws Exception {
        await(vertx.close());
    }

    private RequestOptions to(String path, HttpMethod method) {
        return new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(server.actualPort()).setURI(path);
    }

    private void client(HttpVersion version) {
        client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(version)
                .setHttp2ClearTextUpgrade(false));
    }

    @ParameterizedTest
    @EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
    void readsTheAnswersStatusAndBody(HttpVersion version) throws Exception {
        client(version);
        String answer = await(ClientExchange.send(client, to("/teapot", HttpMethod.GET),
                response -> response.body().map(body -> response.statusCode() + " " + body)));
        assertThat(answer).isEqualTo("418 short and stout");
        assertThat(await(ClientExchange.send(client, to("/", HttpMethod.GET), response -> response.body())).toString())
                .isEqualTo("GET " + version + " ");
    }

    @ParameterizedTest
    @EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
    void sendsTheBody(HttpVersion version) throws Exception {
        client(version);
        assertThat(await(ClientExchange.send(client, to("/", HttpMethod.POST), Buffer.buffer("{\"a\":1}"),
                response -> response.body())).toString()).isEqualTo("POST " + version + " {\"a\":1}");
    }

    @ParameterizedTest
    @EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
    void aRequestObtainedByTheCallerIsSentAndRead(HttpVersion version) throws Exception {
        client(version);
        assertThat(await(client.request(to("/", HttpMethod.PUT)).compose(request -> ClientExchange.send(
                request.putHeader("X-Test", "1"), response -> response.body()))).toString())
                .isEqualTo("PUT " + version + " ");
    }

    @ParameterizedTest
    @EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
    void aReaderThatFailsFailsTheExchange(HttpVersion version) {
        client(version);
        assertThatThrownBy(() -> await(ClientExchange.send(client, to("/teapot", HttpMethod.GET),
                response -> Future.failedFuture(new IllegalStateException("HTTP " + response.statusCode())))))
                .isInstanceOf(IllegalStateException.class).hasMessage("HTTP 418");
    }

    @ParameterizedTest
    @EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
    void aServerThatIsNotThereFailsTheExchange(HttpVersion version) throws Exception {
        client(version);
        int port = server.actualPort();
        await(server.close());
        assertThatThrownBy(() -> await(ClientExchange.send(client, to("/", HttpMethod.GET).setPort(port),
                response -> response.body()))).hasMessageContaining("Connection refused");
    }

    private static <T> T await(Future<T> future) throws Exception {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
