package io.demandmetrics.adapter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that never retry a request, one thread each, reading one path each as fast as they
 * are answered, until stopped or refused. Each request ends answered, refused (the server did
 * not take it: the protocol says so) or lost (taken and never answered); the subclasses say
 * which is which on their protocol.
 */
abstract class NeverRetryingClients implements AutoCloseable {

    final AtomicInteger answered = new AtomicInteger();
    /** Clients that stopped because a connection was refused: nothing was sent on it. */
    final AtomicInteger refused = new AtomicInteger();
    final Map<String, Integer> lost = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private ExecutorService threads;
    private final List<Future<?>> clients = new ArrayList<>();

    /** Starts one client per path. Call once, from the subclass's constructor, after its own fields are set. */
    final void start(int port, List<String> paths) {
        threads = Executors.newFixedThreadPool(paths.size());
        for (String path : paths) {
            clients.add(threads.submit(() -> run(port, path)));
        }
    }

    /** One client's loop: until {@link #running()} is false or a connection is refused. */
    abstract void run(int port, String path);

    final boolean running() {
        return running.get();
    }

    final void lost(String how) {
        lost.merge(how, 1, Integer::sum);
    }

    /** Stops the clients (each finishes its request) and waits for them. */
    @Override
    public void close() throws Exception {
        running.set(false);
        for (Future<?> client : clients) {
            client.get(60, TimeUnit.SECONDS);
        }
        threads.shutdownNow();
    }
}
