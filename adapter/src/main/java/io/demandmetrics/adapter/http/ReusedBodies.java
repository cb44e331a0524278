package io.demandmetrics.adapter.http;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Large answers ({@code /metrics}, the explain page of every metric) built once and shared:
 * readers that come while one is being built wait for it, and a body built less than
 * {@code fresh} ago is sent again. However many clients read them at once (and, with a
 * freshness, however fast), each costs one build at a time; at ten thousand metrics a build
 * is megabytes of short-lived objects, whose collection pauses the HPA's answers too. Keys
 * are few and fixed (the route and the encoding), so this holds a handful of bodies at most.
 */
final class ReusedBodies {

    private record Build(Future<ChunkedBody> body, long startedNanos) {
    }

    private final ConcurrentHashMap<String, Build> builds = new ConcurrentHashMap<>();
    private final long freshNanos;

    /** @param fresh how long a built body is sent again (its content is at most this much older); zero: never */
    ReusedBodies(Duration fresh) {
        this.freshNanos = fresh.toNanos();
    }

    /** The body for {@code key}: the one being built, one built less than {@code fresh} ago, or a new {@code build}. */
    Future<ChunkedBody> get(String key, Supplier<Future<ChunkedBody>> build) {
        long now = System.nanoTime();
        return builds.compute(key, (k, last) -> last != null && !last.body().failed()
                && (!last.body().isComplete() || now - last.startedNanos() < freshNanos)
                ? last : new Build(build.get(), now)).body();
    }
}
