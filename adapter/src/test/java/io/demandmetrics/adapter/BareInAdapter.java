package io.demandmetrics.adapter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The benchmark's ceiling: the adapter and a {@link BareServer} in one JVM (bench/ceiling runs
 * it). The bare server there runs the same compiled Netty, Vert.x and TLS code the adapter's
 * requests and its pollers and clients have shaped, shares the adapter's heap, collector and
 * background threads, and does none of the adapter's per-request work; it cannot be faster
 * than the bare server alone, and the adapter's metric route cannot be faster than it. So the
 * bare server alone, this one and the metric route, measured in turn, split the route's gap
 * into what running beside the rest of the adapter costs and what the adapter's own request
 * handling costs.
 *
 * <p>Usage: {@code BareInAdapter BARE_PORT BODY_FILE CERT_FILE KEY_FILE -- ADAPTER_ARGS...}:
 * starts the adapter with its arguments at once, and the bare server (as {@code BareServer
 * BARE_PORT BODY_FILE CERT_FILE KEY_FILE}) once {@code BODY_FILE} exists, so that the caller
 * can write there what the started adapter serves (rename it into place: it is read whole).
 */
public final class BareInAdapter {

    private BareInAdapter() {
    }

    public static void main(String[] args) throws Exception {
        List<String> all = Arrays.asList(args);
        int separator = all.indexOf("--");
        if (separator != 4) {
            System.err.println("usage: BareInAdapter BARE_PORT BODY_FILE CERT_FILE KEY_FILE -- ADAPTER_ARGS...");
            System.exit(2);
        }
        String[] bare = all.subList(0, separator).toArray(String[]::new);
        String[] adapter = all.subList(separator + 1, all.size()).toArray(String[]::new);
        Thread adapterMain = new Thread(() -> Main.main(adapter), "adapter-main");
        adapterMain.start();
        Path body = Path.of(bare[1]);
        while (!Files.exists(body)) {
            Thread.sleep(50); // a benchmark's start-up, waiting on its script: no event loop here
        }
        BareServer.main(bare);
        adapterMain.join();
    }
}
