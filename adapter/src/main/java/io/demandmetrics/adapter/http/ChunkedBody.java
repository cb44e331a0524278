package io.demandmetrics.adapter.http;

import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * A large answer body (the adapter's {@code /metrics}, the explain page) written by a worker
 * into fixed 64 KiB chunks, then sent as one buffer over them.
 *
 * <p>Why not one byte array: a growing {@code ByteArrayOutputStream} doubles into arrays of
 * several megabytes (and copies them once more at the end), which the JVM allocates straight
 * into the old generation when they do not fit the young one; a scrape a second then fills it
 * and a full collection stops every thread, the event loop answering the HPA too, for a
 * hundred milliseconds and more. Chunks this size are allocated young.
 */
final class ChunkedBody extends OutputStream {

    static final int CHUNK = 64 * 1024;

    /** Writes a body to the stream it is given. */
    interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private final List<byte[]> full = new ArrayList<>();
    private byte[] current = new byte[CHUNK];
    private int used;

    /** A body {@code writer} writes, gzipped on the way when {@code gzip}. Call on a worker. */
    static ChunkedBody written(boolean gzip, Writer writer) throws IOException {
        ChunkedBody body = new ChunkedBody();
        try (OutputStream out = gzip ? new GZIPOutputStream(body, CHUNK) : body) {
            writer.writeTo(out);
        }
        return body;
    }

    @Override
    public void write(int b) {
        if (used == CHUNK) {
            next();
        }
        current[used++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int count) {
        while (count > 0) {
            if (used == CHUNK) {
                next();
            }
            int n = Math.min(count, CHUNK - used);
            System.arraycopy(bytes, offset, current, used, n);
            used += n;
            offset += n;
            count -= n;
        }
    }

    private void next() {
        full.add(current);
        current = new byte[CHUNK];
        used = 0;
    }

    /**
     * Sends the body on {@code response} (whose status and headers are set) and ends it: one
     * buffer over the chunks, not a copy of them. Call on the response's context.
     */
    Future<Void> send(HttpServerResponse response) {
        byte[][] chunks = new byte[full.size() + 1][];
        full.toArray(chunks);
        chunks[full.size()] = used == CHUNK ? current : Arrays.copyOf(current, used);
        return response.end(BufferInternal.buffer(Unpooled.wrappedBuffer(chunks)));
    }
}
