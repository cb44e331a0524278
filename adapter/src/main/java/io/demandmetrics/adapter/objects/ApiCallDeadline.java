package io.demandmetrics.adapter.objects;

import io.demandmetrics.scaler.support.Durations;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A bound on one blocking call to the Kubernetes API, kept on the thread that makes it.
 *
 * <p>The fabric8 client's request timeout ends when an answer's head arrives (the JDK client's
 * rule). A body that then stops coming, as when a partition drops packets in the middle of an
 * answer and no reset ever arrives, holds the calling thread for good: a worker of a small pool
 * (the token reviews', the status writes'), or a loop that must go on (the bucket Leases').
 * Past the bound the calling thread is interrupted, which ends the client's wait, and the call
 * fails as unanswered; the thread goes on with its interrupt cleared. The stalled connection
 * stays with the client until the server closes it; the next call takes a new one.
 */
public final class ApiCallDeadline {

    /** One daemon thread rings every alarm: an alarm only interrupts a thread, at most once. */
    private static final ScheduledExecutorService ALARMS = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "kubernetes-api-deadline");
        thread.setDaemon(true);
        return thread;
    });

    private ApiCallDeadline() {
    }

    /**
     * Makes {@code call} on this thread, interrupting it if it has not returned within {@code bound}.
     *
     * @throws KubernetesClientException saying no whole answer came within the bound, or the
     *     call's own failure
     */
    public static <T> T within(Duration bound, Supplier<T> call) {
        Alarm alarm = new Alarm(Thread.currentThread());
        ScheduledFuture<?> scheduled = ALARMS.schedule(alarm::ring, bound.toNanos(), TimeUnit.NANOSECONDS);
        try {
            return call.get();
        } catch (RuntimeException e) {
            if (alarm.silence()) {
                // Without the client's exception: its cause is this alarm's interrupt, which callers
                // would take for the adapter stopping.
                throw new KubernetesClientException("no whole answer within " + Durations.format(bound));
            }
            throw e;
        } finally {
            scheduled.cancel(false);
            if (alarm.silence()) {
                Thread.interrupted(); // the alarm's, not one this thread was meant to keep
            }
        }
    }

    /** Interrupts its thread once, unless silenced first; the two never cross. */
    private static final class Alarm {
        private final Thread caller;
        private boolean silenced;
        private boolean rang;

        Alarm(Thread caller) {
            this.caller = caller;
        }

        synchronized void ring() {
            if (!silenced) {
                rang = true;
                caller.interrupt();
            }
        }

        /** From now on it stays quiet; true when it had already interrupted the caller. */
        synchronized boolean silence() {
            silenced = true;
            return rang;
        }
    }
}
