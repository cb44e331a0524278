package io.demandmetrics.adapter.replicas;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * This replica's token for its peers: the service-account token the kubelet projects for the
 * peer audience ({@link PeerAuthenticator#AUDIENCE}) and rotates in place, read again when the
 * file changes. Being bound to that audience, it is refused by the Kubernetes API itself: a
 * peer that leaks it gives away no API access.
 */
public final class PeerToken {

    private final Path file;
    private long readAt = Long.MIN_VALUE;
    private String token;

    public PeerToken(Path file) {
        this.file = file;
    }

    /** The token, as the file holds it now. */
    public synchronized String value() {
        try {
            long modified = Files.getLastModifiedTime(file).toMillis();
            if (token == null || modified != readAt) {
                token = Files.readString(file, StandardCharsets.UTF_8).trim();
                readAt = modified;
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the peer token " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The service account the token names ({@code system:serviceaccount:ns:name}): who a peer
     * must be. Read from the token's own claims, unverified: it is this replica's own file.
     */
    public String subject() {
        String[] parts = value().split("\\.");
        if (parts.length != 3) {
            throw new IllegalStateException("the peer token " + file + " is not a JWT");
        }
        JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        String subject = claims.getString("sub");
        if (subject == null || !subject.startsWith("system:serviceaccount:")) {
            throw new IllegalStateException("the peer token " + file + " names no service account (sub: " + subject + ")");
        }
        return subject;
    }
}
