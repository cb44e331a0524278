package io.demandmetrics.adapter;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;

/**
 * Checks files on an interval and reports when their content changes. Content, not
 * modification time: Kubernetes updates a mounted ConfigMap or Secret by swapping a
 * symlink, which leaves the file's own mtime unreliable. Reading runs on a worker thread.
 *
 * @param <T> what the files are read into
 */
final class FileWatch<T> {

    /** Reads the watched files; runs on a worker thread. */
    interface Reader<T> {
        T read() throws IOException;
    }

    private final Vertx vertx;
    private final Reader<T> reader;
    private final java.util.function.Function<T, String> fingerprint;
    private final BiConsumer<T, Throwable> onChange;
    private String lastFingerprint;
    private String lastError;
    private long timer = -1;
    private boolean checking;

    /**
     * @param initialFingerprint the fingerprint of what is in use now
     * @param onChange called on an event loop with the new content, or with the read error
     *     (once per distinct error)
     */
    FileWatch(Vertx vertx, Reader<T> reader, java.util.function.Function<T, String> fingerprint,
              String initialFingerprint, BiConsumer<T, Throwable> onChange) {
        this.vertx = vertx;
        this.reader = reader;
        this.fingerprint = fingerprint;
        this.lastFingerprint = initialFingerprint;
        this.onChange = onChange;
    }

    void start(Duration interval) {
        timer = vertx.setPeriodic(interval.toMillis(), id -> check());
    }

    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void check() {
        if (checking) {
            return;
        }
        checking = true;
        Callable<T> read = reader::read;
        vertx.executeBlocking(read, false).onComplete(result -> {
            checking = false;
            if (result.failed()) {
                String error = String.valueOf(result.cause().getMessage());
                if (!error.equals(lastError)) {
                    lastError = error;
                    onChange.accept(null, result.cause());
                }
                return;
            }
            lastError = null;
            String current = fingerprint.apply(result.result());
            if (!current.equals(lastFingerprint)) {
                lastFingerprint = current;
                onChange.accept(result.result(), null);
            }
        });
    }
}
