package io.demandmetrics.adapter.http;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Large answers ({@code /metrics}, the first page of the explain list) built once and shared:
 * readers that come while one is being built wait for it, and a body built less than
 * {@code fresh} ago is sent again. However many clients read them at once (and, with a
 * freshness, however fast), each costs one build at a time per event loop (each loop's router
 * has its own: a build's readers are then answered on the loop that built it); at ten
 * thousand metrics a build is megabytes. Keys are few and fixed (the route and the encoding),
 * so this holds a handful of bodies at most. A body's memory is freed once it is no longer the one shared and its last
 * reader is done with it.
 */
final class ReusedBodies {

    /** A body and its holders: this cache while it is the one shared, and each reader until done. */
    private static final class Build {
        final Future<ChunkedBody> body;
        final long startedNanos;
        final AtomicInteger holders = new AtomicInteger(1);

        Build(Future<ChunkedBody> body, long startedNanos) {
            this.body = body;
            this.startedNanos = startedNanos;
        }

        void release() {
            if (holders.decrementAndGet() == 0) {
                body.onSuccess(built -> {
                    if (built != null) {
                        built.free();
                    }
                });
            }
        }
    }

    private final ConcurrentHashMap<String, Build> builds = new ConcurrentHashMap<>();
    private final long freshNanos;

    /** @param fresh how long a built body is sent again (its content is at most this much older); zero: never */
    ReusedBodies(Duration fresh) {
        this.freshNanos = fresh.toNanos();
    }

    /**
     * Uses the body for {@code key}: the one being built, one built less than {@code fresh} ago,
     * or a new {@code build}. {@code use} returns when it is done with the body (sent, or given
     * up); until then the body is not freed.
     */
    <T> Future<T> use(String key, Supplier<Future<ChunkedBody>> build, Function<ChunkedBody, Future<T>> use) {
        long now = System.nanoTime();
        // The reader becomes a holder inside compute: a body replaced meanwhile is not freed under it.
        Build shared = builds.compute(key, (k, last) -> {
            if (last != null && !last.body.failed()
                    && (!last.body.isComplete() || now - last.startedNanos < freshNanos)) {
                last.holders.incrementAndGet();
                return last;
            }
            if (last != null) {
                last.release(); // no longer shared: freed when its last reader is done
            }
            Build next = new Build(build.get(), now);
            next.holders.incrementAndGet();
            return next;
        });
        return shared.body.compose(use).andThen(done -> shared.release());
    }
}
