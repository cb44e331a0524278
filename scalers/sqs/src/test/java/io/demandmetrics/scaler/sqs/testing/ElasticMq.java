package io.demandmetrics.scaler.sqs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * ElasticMQ, an SQS-compatible server, in the test JVM on a fixed loopback port, so it can be
 * stopped and started again where clients expect it. Its queues live in memory: a restart
 * empties it.
 */
public final class ElasticMq implements AutoCloseable {

    private final int port;
    private SQSRestServer server;

    private ElasticMq(int port) {
        this.port = port;
    }

    public static ElasticMq start() {
        ElasticMq mq = new ElasticMq(freePort());
        mq.startServer();
        return mq;
    }

    /** What {@code awsEndpoint} is set to. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** A synchronous client for setting tests up (dummy credentials, as ElasticMQ accepts any). */
    public SqsClient client() {
        return SqsClient.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    /**
     * Creates a queue holding {@code visible} messages, {@code inFlight} received and not
     * deleted (invisible for 10 minutes) and {@code delayed} ones (for 10 minutes).
     *
     * @return the queue's URL
     */
    public String createQueue(String name, int visible, int inFlight, int delayed) {
        try (SqsClient sqs = client()) {
            String url = sqs.createQueue(r -> r.queueName(name)).queueUrl();
            for (int i = 0; i < visible + inFlight; i++) {
                sqs.sendMessage(r -> r.queueUrl(url).messageBody("job"));
            }
            int received = 0;
            while (received < inFlight) {
                int wanted = Math.min(10, inFlight - received);
                received += sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(wanted).visibilityTimeout(600))
                        .messages().size();
            }
            for (int i = 0; i < delayed; i++) {
                sqs.sendMessage(r -> r.queueUrl(url).messageBody("later").delaySeconds(600));
            }
            return url;
        }
    }

    public void stop() {
        if (server != null) {
            server.stopAndWait();
            server = null;
        }
    }

    public void restart() {
        startServer();
    }

    @Override
    public void close() {
        stop();
    }

    private void startServer() {
        server = SQSRestServerBuilder.withInterface("127.0.0.1").withPort(port)
                .withServerAddress(new NodeAddress("http", "127.0.0.1", port, "")).start();
        server.waitUntilStarted();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
