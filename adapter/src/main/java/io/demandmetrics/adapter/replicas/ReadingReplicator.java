package io.demandmetrics.adapter.replicas;

import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.store.MetricState;
import io.demandmetrics.adapter.store.PollListener;
import io.demandmetrics.scaler.support.ClientExchange;
import io.demandmetrics.scaler.support.TlsEngine;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every reading this replica polls to every other replica: after each poll the metric's
 * reading and failure wait in a batch (the latest per metric), sent to each peer every flush
 * period; a peer not yet in step (new, or whose last batch failed) first gets everything
 * polled here. So a request on any replica never waits on a peer: each serves what it was sent.
 *
 * <p>Each peer has at most one send in flight. What is polled meanwhile waits for it, the
 * latest reading per metric (so at most one per metric polled here), and goes at the first
 * flush after the send ends. A peer slower than the flush period (one starting, compiling,
 * collecting) used to get a new send every period, each of everything polled here while it was
 * not yet in step: the sends piled up on both sides and the garbage they made kept both
 * collecting, slower still.
 *
 * <p>Peers are the live replicas the Leases name, at the address each wrote there. The
 * connection is TLS; the peer's certificate is not checked against a CA (in-cluster serving
 * certificates are often each pod's own self-signed one): the address comes from a Lease only
 * this Deployment's service account can write, and what the sender hands over is a token bound
 * to the peer audience, worthless against the Kubernetes API. Runs on the store's context.
 */
public final class ReadingReplicator implements PollListener {

    /** The other live replicas: identity to {@code host:port} of their peer port. */
    @FunctionalInterface
    public interface Peers {
        Map<String, String> addresses();
    }

    private static final Logger LOG = LoggerFactory.getLogger(ReadingReplicator.class);
    private static final int READINGS_PER_BATCH = 500;

    private final Vertx vertx;
    private final Context context;
    private final String identity;
    private final Peers peers;
    private final Supplier<String> token;
    private final Supplier<List<MetricState>> polledHere;
    private final HttpClient client;
    private final Duration timeout;
    /** Each live peer's lane, by identity; only on the store's context. */
    private final Map<String, Lane> lanes = new HashMap<>();
    /** Peers that have everything polled here up to their last send, by identity (and address). */
    private final Map<String, String> inStep = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failedBatches = new AtomicLong();
    private long timer = -1;

    /**
     * @param token this replica's peer token, read for each batch (the kubelet rotates it)
     * @param polledHere the states of the metrics this replica polls now
     */
    public ReadingReplicator(Vertx vertx, Context context, String identity, Peers peers, Supplier<String> token,
                             Supplier<List<MetricState>> polledHere, Duration timeout) {
        this.vertx = vertx;
        this.context = context;
        this.identity = identity;
        this.peers = peers;
        this.token = token;
        this.polledHere = polledHere;
        this.timeout = timeout;
        this.client = vertx.createHttpClient(new HttpClientOptions().setSsl(true)
                .setSslEngineOptions(TlsEngine.preferred()).setTrustAll(true).setVerifyHost(false).setUseAlpn(true)
                .setKeepAlive(true).setIdleTimeout(60));
    }

    /** Starts sending every {@code flushEvery}, on the store's context (where {@link #polled} is called). */
    public void start(Duration flushEvery) {
        context.runOnContext(on -> timer = vertx.setPeriodic(flushEvery.toMillis(), id -> flush()));
    }

    /** Readings delivered to a peer since start (one per peer it went to). */
    public long sent() {
        return sent.get();
    }

    /** Batches a peer did not take (unreachable, refused, timed out). */
    public long failedBatches() {
        return failedBatches.get();
    }

    @Override
    public void polled(MetricState state, long nanos, boolean failed) {
        ReplicatedReading reading = of(state);
        for (Lane lane : lanes.values()) {
            lane.owed.put(reading.key(), reading);
        }
    }

    private static ReplicatedReading of(MetricState state) {
        return new ReplicatedReading(state.definition().key(), state.settingsFingerprint(), state.reading(),
                state.failure());
    }

    /**
     * Sends each peer with no send in flight what it is owed: what was polled here since its last
     * send if it is in step, else everything polled here.
     */
    void flush() {
        Map<String, String> live = peers.addresses();
        lanes.keySet().retainAll(live.keySet());
        inStep.keySet().retainAll(live.keySet());
        List<ReplicatedReading> everything = null;
        for (Map.Entry<String, String> peer : live.entrySet()) {
            String name = peer.getKey();
            String address = peer.getValue();
            Lane lane = lanes.get(name);
            if (lane == null || !lane.address.equals(address)) {
                // New, or restarted at another address: it starts from everything.
                lane = new Lane(address);
                lanes.put(name, lane);
                inStep.remove(name);
            }
            if (lane.sending) {
                continue;
            }
            boolean current = address.equals(inStep.get(name));
            if (!current && everything == null) {
                everything = polledHere.get().stream().map(ReadingReplicator::of).toList();
            }
            List<ReplicatedReading> toSend = current ? List.copyOf(lane.owed.values()) : everything;
            lane.owed.clear();
            if (toSend.isEmpty()) {
                if (!current) {
                    inStep.put(name, address);
                }
                continue;
            }
            lane.sending = true;
            Lane sending = lane;
            send(name, address, toSend).onComplete(done -> context.runOnContext(on -> {
                sending.sending = false;
                if (lanes.get(name) != sending) {
                    return; // gone, or now at another address
                }
                if (done.succeeded()) {
                    inStep.put(name, address);
                    sent.addAndGet(toSend.size());
                } else {
                    if (inStep.remove(name) != null || failedBatches.get() == 0) {
                        LOG.warn("replica {} at {} did not take a batch of readings (it gets everything next time): {}",
                                name, address, done.cause().getMessage());
                    }
                    failedBatches.incrementAndGet();
                }
            }));
        }
    }

    /** What one peer is owed, and whether a send to it is in flight. */
    private static final class Lane {
        final String address;
        final Map<MetricKey, ReplicatedReading> owed = new LinkedHashMap<>();
        boolean sending;

        Lane(String address) {
            this.address = address;
        }
    }

    private Future<Void> send(String name, String address, List<ReplicatedReading> readings) {
        List<Future<Void>> parts = new ArrayList<>();
        for (int from = 0; from < readings.size(); from += READINGS_PER_BATCH) {
            parts.add(post(address, readings.subList(from, Math.min(readings.size(), from + READINGS_PER_BATCH))));
        }
        return Future.all(parts).mapEmpty();
    }

    private Future<Void> post(String address, List<ReplicatedReading> readings) {
        Buffer body = ReadingBatch.encode(identity, readings);
        if (body.length() > ReadingBatch.MAX_BYTES && readings.size() > 1) {
            int half = readings.size() / 2;
            return Future.all(post(address, readings.subList(0, half)), post(address, readings.subList(half,
                    readings.size()))).mapEmpty();
        }
        int colon = address.lastIndexOf(':');
        String bearer;
        try {
            bearer = token.get();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                .setHost(address.substring(0, colon)).setPort(Integer.parseInt(address.substring(colon + 1)))
                .setURI(PeerServer.PATH).setTimeout(timeout.toMillis())
                .putHeader("Authorization", "Bearer " + bearer).putHeader("Content-Type", "application/json");
        return ClientExchange.send(client, options, body, response -> {
            if (response.statusCode() == 200) {
                return response.end();
            }
            return response.body().compose(text -> Future.failedFuture(new IllegalStateException(
                    "HTTP " + response.statusCode() + ": " + text.toString().substring(0, Math.min(300, text.length())))));
        });
    }

    public Future<Void> close() {
        Promise<Void> closed = Promise.promise();
        context.runOnContext(on -> {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            client.close().onComplete(closed);
        });
        return closed.future();
    }

    /** For the log and /explain: the peers in step now. */
    public Set<String> peersInStep() {
        return Set.copyOf(inStep.keySet());
    }
}
