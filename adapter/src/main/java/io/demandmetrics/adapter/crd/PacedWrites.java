package io.demandmetrics.adapter.crd;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Writes to the API server, started at most {@code perSecond} a second and at most
 * {@code inFlight} at a time, in the order they were asked for; a write asked for a key that
 * still waits replaces the waiting one (only the latest status of a resource is worth writing).
 * Without the pace, the first pass over 10,000 DemandMetrics (each status written once when it
 * starts serving) would reach the API server as one burst, which API Priority and Fairness
 * answers with 429s; paced, it is a stream the server takes (client-go's controllers default to
 * a few tens of requests a second for the same reason). Without the bound on writes in flight,
 * an API server slower than the pace would see the writes pile up in a worker queue, where
 * they could no longer be replaced by a later status of the same resource; here they wait
 * (and are counted, {@link #waiting()}) until one in flight ends.
 *
 * <p>The pace is kept in slots of a tenth of a second, each allowing a tenth of the rate
 * (rounded down; below ten a second, one write a slot of {@code 1 / perSecond} seconds): a write
 * starts as soon as it is asked for, or as soon as a write in flight ends, while its slot allows
 * one more; otherwise at the next slot. So a write seldom waits when few are asked for, and a
 * place freed in flight is used at once rather than at the next slot.
 */
final class PacedWrites {

    private static final long SHORTEST_SLOT_MILLIS = 100;

    private final Vertx vertx;
    private final long slotMillis;
    private final int perSlot;
    private final int maxInFlight;
    private final Map<String, Supplier<Future<?>>> waiting = new LinkedHashMap<>();
    private int inFlight;
    /** Writes the current slot still allows. */
    private int allowed;
    private boolean slotScheduled;

    /**
     * @param perSecond writes started a second at most (at least 1)
     * @param maxInFlight writes started and not yet ended at most (at least 1)
     */
    PacedWrites(Vertx vertx, int perSecond, int maxInFlight) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("perSecond must be at least 1: " + perSecond);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1: " + maxInFlight);
        }
        this.vertx = vertx;
        this.slotMillis = Math.max(SHORTEST_SLOT_MILLIS, 1000 / perSecond);
        this.perSlot = (int) Math.max(1, perSecond * slotMillis / 1000);
        this.maxInFlight = maxInFlight;
        this.allowed = perSlot;
    }

    /**
     * Starts {@code write} now if the pace and the writes in flight allow, else when they do,
     * replacing a write for {@code key} that still waits; the write's future ending (either way)
     * frees its place.
     */
    void submit(String key, Supplier<Future<?>> write) {
        synchronized (waiting) {
            waiting.remove(key); // to the end: its place in line is now
            waiting.put(key, write);
        }
        startWhatMay();
    }

    /** Drops the write waiting for {@code key}, if any. */
    void cancel(String key) {
        synchronized (waiting) {
            waiting.remove(key);
        }
    }

    /** Drops the waiting writes of keys not in {@code present} (their resources are gone). */
    void retainOnly(Set<String> present) {
        synchronized (waiting) {
            waiting.keySet().retainAll(present);
        }
    }

    int waiting() {
        synchronized (waiting) {
            return waiting.size();
        }
    }

    int inFlight() {
        synchronized (waiting) {
            return inFlight;
        }
    }

    private void nextSlot() {
        synchronized (waiting) {
            slotScheduled = false;
            allowed = perSlot;
        }
        startWhatMay();
    }

    /** Starts the waiting writes the slot and the places in flight allow; schedules the next slot if some still wait. */
    private void startWhatMay() {
        List<Supplier<Future<?>>> now = new ArrayList<>();
        boolean schedule;
        synchronized (waiting) {
            Iterator<Supplier<Future<?>>> next = waiting.values().iterator();
            while (next.hasNext() && allowed > 0 && inFlight < maxInFlight) {
                now.add(next.next());
                next.remove();
                allowed--;
                inFlight++;
            }
            // Slots pass only while writes wait: an idle pacer has no timer.
            schedule = !slotScheduled && !waiting.isEmpty();
            slotScheduled |= schedule;
        }
        if (schedule) {
            vertx.setTimer(slotMillis, slot -> nextSlot());
        }
        for (Supplier<Future<?>> write : now) {
            Future<?> written;
            try {
                written = write.get();
            } catch (RuntimeException e) {
                written = Future.failedFuture(e); // the writer's to report; here it only frees the place
            }
            written.onComplete(ended -> {
                synchronized (waiting) {
                    inFlight--;
                }
                startWhatMay();
            });
        }
    }
}
