package io.demandmetrics.adapter.crd;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes to the API server, started at most {@code perSecond} a second, in the order they were
 * asked for; a write asked for a key that still waits replaces the waiting one (only the latest
 * status of a resource is worth writing). Without it, the first pass over 10,000 DemandMetrics
 * (each status written once when it starts serving) would reach the API server as one burst,
 * which API Priority and Fairness answers with 429s; paced, it is a stream the server takes
 * (client-go's controllers default to a few tens of requests a second for the same reason).
 *
 * <p>Started in slots of a tenth of a second (so a lone write waits at most that long), each
 * taking a tenth of the rate, rounded down; below ten a second, one write a slot of
 * {@code 1 / perSecond} seconds.
 */
final class PacedWrites {

    private static final long SHORTEST_SLOT_MILLIS = 100;

    private final Vertx vertx;
    private final long slotMillis;
    private final int perSlot;
    private final Map<String, Runnable> waiting = new LinkedHashMap<>();
    private boolean slotScheduled;

    /** @param perSecond writes started a second at most (at least 1) */
    PacedWrites(Vertx vertx, int perSecond) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("perSecond must be at least 1: " + perSecond);
        }
        this.vertx = vertx;
        this.slotMillis = Math.max(SHORTEST_SLOT_MILLIS, 1000 / perSecond);
        this.perSlot = (int) Math.max(1, perSecond * slotMillis / 1000);
    }

    /** Starts {@code write} in the next slot with room, replacing a write for {@code key} that still waits. */
    void submit(String key, Runnable write) {
        boolean schedule;
        synchronized (waiting) {
            waiting.remove(key); // to the end: its place in line is now
            waiting.put(key, write);
            schedule = !slotScheduled;
            slotScheduled = true;
        }
        if (schedule) {
            vertx.setTimer(slotMillis, slot -> startSlot());
        }
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

    private void startSlot() {
        List<Runnable> now = new ArrayList<>(perSlot);
        boolean more;
        synchronized (waiting) {
            Iterator<Runnable> next = waiting.values().iterator();
            while (next.hasNext() && now.size() < perSlot) {
                now.add(next.next());
                next.remove();
            }
            more = !waiting.isEmpty();
            slotScheduled = more;
        }
        now.forEach(Runnable::run);
        if (more) {
            vertx.setTimer(slotMillis, slot -> startSlot());
        }
    }
}
