package io.demandmetrics.adapter.forward;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * This adapter's service-account token, as it presents it to a backend: read from its file
 * without blocking, and read again a minute later (the kubelet rotates projected tokens, as
 * client-go re-reads them). Never logged; a file that cannot be read fails the request with the
 * path only.
 */
final class BearerToken {

    private static final long REREAD_NANOS = 60_000_000_000L;
    /** A token is a JWT of a few KiB; a larger file is not one. */
    private static final int MAX_BYTES = 64 * 1024;

    private final Vertx vertx;
    private final String file;
    private volatile String value;
    private volatile long readAt;

    /** @param file the token's file; null to present no token */
    BearerToken(Vertx vertx, String file) {
        this.vertx = vertx;
        this.file = file;
    }

    /** The token, or null when none is presented. */
    Future<String> value() {
        if (file == null) {
            return Future.succeededFuture(null);
        }
        String current = value;
        if (current != null && System.nanoTime() - readAt < REREAD_NANOS) {
            return Future.succeededFuture(current);
        }
        return vertx.fileSystem().readFile(file).map(bytes -> {
            if (bytes.length() > MAX_BYTES) {
                throw new IllegalStateException("the token file " + file + " is larger than 64 KiB");
            }
            String read = bytes.toString().trim();
            value = read;
            readAt = System.nanoTime();
            return read;
        }).recover(error -> current != null ? Future.succeededFuture(current) // keep the last one read
                : Future.failedFuture(new IllegalStateException("cannot read the token file " + file)));
    }
}
