package io.demandmetrics.adapter.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * A large answer body (the adapter's {@code /metrics}, the explain page) written by a worker
 * into fixed 64 KiB chunks outside the heap, then sent chunk by chunk ({@link #send}) and freed
 * when its last reader is done with it ({@link #free}).
 *
 * <p>Why outside the heap: a body of megabytes lives as long as its slowest reader takes to
 * receive it, long enough for the young collections meanwhile to promote it. A scrape a second
 * then fills the old generation, and its full collection stops every thread, the event loop
 * answering the HPA too, for a hundred milliseconds and more. Off the heap the collector never
 * sees the bytes; they are freed the moment the last reader is done. (One growing array would
 * be worse still: it doubles into arrays of megabytes, allocated straight into the old
 * generation.)
 */
final class ChunkedBody extends OutputStream {

    static final int CHUNK = 64 * 1024;
    /**
     * Unpooled: a chunk is malloc'd and freed, so no Netty pool keeps a scrape's megabytes once
     * it is sent. The C library's allocator keeps freed chunks in the arena of the thread that
     * allocated them, for that thread's next allocations: hence one builder thread ({@link #builder}).
     */
    static final UnpooledByteBufAllocator ALLOCATOR = new UnpooledByteBufAllocator(true, true);
    /** The worker pool of {@link #builder}: one thread, shared by every router of the process. */
    static final String BUILDER = "large-answers";

    /** Writes a body to the stream it is given. */
    interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private final ByteBufAllocator allocator;
    private final List<ByteBuf> chunks = new ArrayList<>();
    private ByteBuf current;
    private boolean freed;

    ChunkedBody() {
        this(ALLOCATOR);
    }

    ChunkedBody(ByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    /**
     * The worker that builds large bodies: one thread for the whole process, so builds come one
     * at a time. Were they built by any of Vert.x's twenty workers, each worker's arena would
     * keep the freed chunks of the last body it built: at ten thousand metrics, 70 reads of
     * {@code /metrics} grew the RSS by 35-52 MiB that way, by 18-20 MiB with one builder
     * ({@code bench/scrape-memory}, bench/RESULTS.md "#22 ... Fourth look"). One
     * builder reuses its own freed chunks, and at most one build's CPU competes with the event
     * loops.
     */
    static WorkerExecutor builder(Vertx vertx) {
        return vertx.createSharedWorkerExecutor(BUILDER, 1);
    }

    /** A body {@code writer} writes, gzipped on the way when {@code gzip}. Call on a worker. */
    static ChunkedBody written(boolean gzip, Writer writer) throws IOException {
        ChunkedBody body = new ChunkedBody();
        try (OutputStream out = gzip ? fastGzip(body) : body) {
            writer.writeTo(out);
        } catch (IOException | RuntimeException | Error e) {
            body.free();
            throw e;
        }
        return body;
    }

    /**
     * gzip at its fastest level. The default level (6) spent 40 % of a gzip scrape's CPU in zlib at
     * 10,000 metrics; the fastest one makes that body a fifth larger (294 KB instead of 241 KB, of
     * 5.4 MB) at a fraction of the CPU, which the event loop shares with the build.
     */
    private static OutputStream fastGzip(OutputStream body) throws IOException {
        return new GZIPOutputStream(body, CHUNK) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        };
    }

    /**
     * Uses a body no other reader shares, then frees it: {@code use} returns when it is done
     * with the body (sent, or given up).
     */
    static <T> Future<T> usedOnce(Future<ChunkedBody> built, Function<ChunkedBody, Future<T>> use) {
        return built.compose(body -> use.apply(body).andThen(done -> {
            if (body != null) {
                body.free();
            }
        }));
    }

    @Override
    public void write(int b) {
        room().writeByte(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int count) {
        while (count > 0) {
            ByteBuf chunk = room();
            int n = Math.min(count, chunk.writableBytes());
            chunk.writeBytes(bytes, offset, n);
            offset += n;
            count -= n;
        }
    }

    /** The chunk being written, a new one when it is full. */
    private ByteBuf room() {
        if (current == null || !current.isWritable()) {
            synchronized (this) {
                if (freed) {
                    throw new IllegalStateException("writing a body that was freed");
                }
                current = allocator.directBuffer(CHUNK, CHUNK);
                chunks.add(current);
            }
        }
        return current;
    }

    /** Bytes written. */
    long length() {
        long length = 0;
        for (ByteBuf chunk : chunks) {
            length += chunk.readableBytes();
        }
        return length;
    }

    /**
     * Sends the body on {@code response} (whose status and headers are set) and ends it, one
     * chunk per turn of the event loop. Written at once, a megabyte body is encrypted in one go
     * and every other connection on this loop (the HPA's among them) waits for it; between
     * chunks the loop serves them. A chunk is written once the one before it is written out, so
     * a client that reads slowly holds back its own answer, never the loop (nor more than a chunk
     * of its answer waiting in the server). Each reader sends views of the same chunks, never
     * copies. Call on the response's context, and {@link #free} only once this completes.
     */
    Future<Void> send(HttpServerResponse response) {
        response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length()));
        Promise<Void> sent = Promise.promise();
        sendFrom(0, response, Vertx.currentContext(), sent);
        return sent.future();
    }

    private void sendFrom(int index, HttpServerResponse response, Context context, Promise<Void> sent) {
        if (response.closed()) {
            sent.tryFail("the client closed the connection before the answer was sent");
            return;
        }
        // A view with its own indices over the chunk. Vert.x writes such a buffer as unreleasable,
        // so the chunk stays the body's until free(), which comes after its last write completes.
        Buffer chunk = chunks.isEmpty() ? Buffer.buffer() : BufferInternal.buffer(chunks.get(index).duplicate());
        if (index >= chunks.size() - 1) {
            response.end(chunk).onComplete(sent);
            return;
        }
        // The next chunk once this one is written out (a client that reads slowly paces its own
        // answer), and on a later turn of the loop: a completion can come within this very write.
        response.write(chunk).onComplete(written -> {
            if (written.failed()) {
                sent.tryFail(written.cause());
            } else {
                context.runOnContext(next -> sendFrom(index + 1, response, context, sent));
            }
        });
    }

    /** Returns the chunks' memory; once every reader's {@link #send} has completed. Idempotent. */
    synchronized void free() {
        if (!freed) {
            freed = true;
            chunks.forEach(ByteBuf::release);
        }
    }
}
