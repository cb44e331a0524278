package io.demandmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** However many readers: one build at a time, and within its freshness none. */
class ReusedBodiesTest {

    private final AtomicInteger builds = new AtomicInteger();
    private Promise<ChunkedBody> pending;
    private final Supplier<Future<ChunkedBody>> build = () -> {
        builds.incrementAndGet();
        pending = Promise.promise();
        return pending.future();
    };

    @Test
    void readersDuringABuildShareIt() {
        ReusedBodies bodies = new ReusedBodies(Duration.ZERO);
        Future<ChunkedBody> first = bodies.get("metrics", build);
        Future<ChunkedBody> second = bodies.get("metrics", build);
        assertThat(builds).hasValue(1);
        pending.complete(new ChunkedBody());
        assertThat(second.result()).isSameAs(first.result());
        bodies.get("metrics", build);
        assertThat(builds).as("without freshness a finished build is not sent again").hasValue(2);
    }

    @Test
    void aFreshBodyIsSentAgainAndAFailedOneIsNot() {
        ReusedBodies bodies = new ReusedBodies(Duration.ofMinutes(1));
        bodies.get("explain", build);
        pending.complete(new ChunkedBody());
        bodies.get("explain", build);
        assertThat(builds).hasValue(1);
        bodies.get("other key", build);
        pending.fail("the build failed");
        bodies.get("other key", build);
        assertThat(builds).as("a failed build is retried by the next reader").hasValue(3);
    }
}
