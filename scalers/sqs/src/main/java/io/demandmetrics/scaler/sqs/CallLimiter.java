package io.demandmetrics.scaler.sqs;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Runs at most {@code limit} SQS calls at once per client; the rest wait in order. A thousand
 * metrics polling together make a queue here, not a thousand connections, and a throttled
 * call (retried by the SDK with backoff) holds one slot, not the others' progress. Calls start
 * on {@code callThread}, never on the caller's: signing a request can wait for credentials
 * (an STS or metadata call when they expire), which must not happen on an event loop.
 */
final class CallLimiter {

    private final int limit;
    private final java.util.concurrent.Executor callThread;
    private final Deque<Runnable> waiting = new ArrayDeque<>();
    private int running;
    private int peak;
    private long calls;
    private long burstStarted;
    private volatile double lastBurstSeconds;

    CallLimiter(int limit, java.util.concurrent.Executor callThread) {
        this.limit = limit;
        this.callThread = callThread;
    }

    <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable start = () -> {
            CompletableFuture<T> started;
            try {
                started = call.get();
            } catch (RuntimeException e) {
                started = CompletableFuture.failedFuture(e);
            }
            started.whenComplete((value, error) -> {
                release();
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(value);
                }
            });
        };
        boolean now;
        synchronized (this) {
            calls++;
            if (running == 0) {
                burstStarted = System.nanoTime();
            }
            now = running < limit;
            if (now) {
                running++;
                peak = Math.max(peak, running);
            } else {
                waiting.add(start);
            }
        }
        if (now) {
            callThread.execute(start);
        }
        return result;
    }

    private void release() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                running--;
                if (running == 0) {
                    lastBurstSeconds = (System.nanoTime() - burstStarted) / 1e9;
                }
            }
        }
        if (next != null) {
            callThread.execute(next); // takes over the slot
        }
    }

    synchronized int running() {
        return running;
    }

    synchronized int waiting() {
        return waiting.size();
    }

    /** The most calls in flight at once since the last call of this method. */
    synchronized int takePeak() {
        int result = peak;
        peak = running;
        return result;
    }

    /**
     * How long the last burst took: from a call made while none ran until none ran again.
     * Polls fall on the same instants, so a burst is one round of every queue of the client.
     */
    double lastBurstSeconds() {
        return lastBurstSeconds;
    }

    synchronized long calls() {
        return calls;
    }
}
