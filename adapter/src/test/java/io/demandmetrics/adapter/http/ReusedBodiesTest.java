package io.demandmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * However many readers: one build at a time, and within its freshness none; and a body's
 * memory comes back once it is no longer shared and its last reader is done, never before.
 */
class ReusedBodiesTest {

    private final UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true, true);
    private final AtomicInteger builds = new AtomicInteger();
    private Promise<ChunkedBody> pending;
    private final Supplier<Future<ChunkedBody>> build = () -> {
        builds.incrementAndGet();
        pending = Promise.promise();
        return pending.future();
    };
    private final List<ChunkedBody> used = new ArrayList<>();
    private final List<Promise<Void>> readers = new ArrayList<>();

    /** A reader that holds the body until the test says it is done. */
    private Future<Void> read(ChunkedBody body) {
        used.add(body);
        Promise<Void> done = Promise.promise();
        readers.add(done);
        return done.future();
    }

    @Test
    void readersDuringABuildShareIt() {
        ReusedBodies bodies = new ReusedBodies(Duration.ZERO);
        bodies.use("metrics", build, this::read);
        bodies.use("metrics", build, this::read);
        assertThat(builds).hasValue(1);
        pending.complete(body(10));
        assertThat(used).hasSize(2);
        assertThat(used.get(1)).isSameAs(used.get(0));
        bodies.use("metrics", build, this::read);
        assertThat(builds).as("without freshness a finished build is not sent again").hasValue(2);
    }

    @Test
    void aFreshBodyIsSentAgainAndAFailedOneIsNot() {
        ReusedBodies bodies = new ReusedBodies(Duration.ofMinutes(1));
        bodies.use("explain", build, this::read);
        pending.complete(body(10));
        bodies.use("explain", build, this::read);
        assertThat(builds).hasValue(1);
        bodies.use("other key", build, this::read);
        pending.fail("the build failed");
        bodies.use("other key", build, this::read);
        assertThat(builds).as("a failed build is retried by the next reader").hasValue(3);
    }

    @Test
    void aReplacedBodyIsFreedWhenItsLastReaderIsDoneAndNotBefore() {
        ReusedBodies bodies = new ReusedBodies(Duration.ZERO);
        bodies.use("metrics", build, this::read);
        pending.complete(body(3 * ChunkedBody.CHUNK));
        long oneBody = allocator.metric().usedDirectMemory();
        assertThat(oneBody).isGreaterThanOrEqualTo(3L * ChunkedBody.CHUNK);

        bodies.use("metrics", build, this::read); // a new build replaces it while its reader still sends
        pending.complete(body(10));
        readers.get(1).complete();
        assertThat(allocator.metric().usedDirectMemory()).as("the first body, still being sent")
                .isGreaterThanOrEqualTo(oneBody);
        readers.get(0).complete();
        assertThat(allocator.metric().usedDirectMemory()).as("only the second body, still the shared one")
                .isLessThan(oneBody).isPositive();
    }

    @Test
    void aBodyUsedOnceIsFreedWhenItsReaderIsDone() {
        Promise<ChunkedBody> built = Promise.promise();
        ChunkedBody.usedOnce(built.future(), this::read);
        built.complete(body(ChunkedBody.CHUNK + 1));
        assertThat(allocator.metric().usedDirectMemory()).isPositive();
        readers.get(0).fail("the client went away");
        assertThat(allocator.metric().usedDirectMemory()).isZero();
    }

    private ChunkedBody body(int bytes) {
        ChunkedBody body = new ChunkedBody(allocator);
        body.write(new byte[bytes], 0, bytes);
        return body;
    }
}
