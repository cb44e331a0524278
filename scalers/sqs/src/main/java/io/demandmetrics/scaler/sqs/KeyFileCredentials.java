package io.demandmetrics.scaler.sqs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * Static keys from files (a mounted Secret), read again when they change: a rotated Secret is
 * used within {@link #RECHECK} without a restart, as Kafka's password files and the serving
 * certificate are. A file that cannot be read keeps the last good keys. Called by the SDK on
 * its own threads, never an event loop; the first read happens when the client is built, on
 * a worker.
 */
final class KeyFileCredentials implements AwsCredentialsProvider {

    static final Duration RECHECK = Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(KeyFileCredentials.class);

    private final String accessKeyIdFile;
    private final String secretAccessKeyFile;
    private final String sessionTokenFile;
    private AwsCredentials current;
    private long checkedNanos;

    KeyFileCredentials(String accessKeyIdFile, String secretAccessKeyFile, String sessionTokenFile) {
        this.accessKeyIdFile = accessKeyIdFile;
        this.secretAccessKeyFile = secretAccessKeyFile;
        this.sessionTokenFile = sessionTokenFile;
    }

    @Override
    public synchronized AwsCredentials resolveCredentials() {
        long now = System.nanoTime();
        if (current != null && now - checkedNanos < RECHECK.toNanos()) {
            return current;
        }
        checkedNanos = now;
        try {
            AwsCredentials read = read();
            if (current != null && !read.equals(current)) {
                LOG.info("SQS key files {} changed; using the new keys", accessKeyIdFile);
            }
            current = read;
        } catch (IllegalStateException e) {
            if (current == null) {
                throw e;
            }
            LOG.warn("{}; keeping the keys read before", e.getMessage());
        }
        return current;
    }

    private AwsCredentials read() {
        String id = read("accessKeyIdFile", accessKeyIdFile);
        String secret = read("secretAccessKeyFile", secretAccessKeyFile);
        return sessionTokenFile == null ? AwsBasicCredentials.create(id, secret)
                : AwsSessionCredentials.create(id, secret, read("sessionTokenFile", sessionTokenFile));
    }

    private static String read(String parameter, String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + parameter + " " + file + ": " + e.getClass().getSimpleName());
        }
    }
}
