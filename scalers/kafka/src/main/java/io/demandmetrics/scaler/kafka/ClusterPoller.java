package io.demandmetrics.scaler.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Admin client of one cluster identity, and the poll cycles every metric of that
 * cluster shares. Requests gather until none has arrived for {@value #QUIET_MILLIS} ms (at
 * most {@value #MAX_GATHER_MILLIS} ms); the batch then runs as one {@link PollCycle}. A
 * thousand metrics whose polls fall on the same instant reach here over some tens of
 * milliseconds (the event loop starts them one by one): a fixed window would cut them into
 * two cycles. While a cycle runs, new requests gather for the next one: at most one cycle is
 * in flight per cluster, so a broker outage cannot pile up requests or connections.
 *
 * <p>All state lives on {@code loop}, one thread shared by every cluster: callers only hand
 * it work. The Admin client is created there too (it resolves host names, which blocks), on
 * the first cycle, so a cluster that is down at startup delays nothing.
 */
final class ClusterPoller {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterPoller.class);

    /** A batch is complete when no request has joined it for this long. */
    static final long QUIET_MILLIS = 20;
    /** ... or when it has gathered for this long, however busy. */
    static final long MAX_GATHER_MILLIS = 500;

    private final ClusterSettings settings;
    private final ScheduledExecutorService loop;
    private final String clientId;
    private final List<PollCycle.Query> pending = new ArrayList<>();
    private volatile Admin admin; // written on the loop, read by /metrics scrapes
    private boolean flushScheduled;
    private boolean inFlight;
    private boolean closed;
    private boolean credentialsRefused;
    private long firstPendingNanos;
    private long lastPendingNanos;

    private volatile long cycles;
    private volatile double lastCycleMillis;
    private volatile long lastCycleRequests;
    private volatile long requestsBeforeClient;
    private volatile long clientsCreated;

    String clientId() {
        return clientId;
    }

    ClusterPoller(ClusterSettings settings, ScheduledExecutorService loop, String clientId) {
        this.settings = settings;
        this.loop = loop;
        this.clientId = clientId;
    }

    /**
     * The group's offsets from the next cycle; fails with a message naming the cause.
     *
     * @param budget how long Kafka may take, from now, before its own timeout error answers
     */
    CompletableFuture<GroupOffsets> offsets(String group, List<String> topics, java.time.Duration budget) {
        long deadlineNanos = System.nanoTime() + budget.toNanos();
        CompletableFuture<GroupOffsets> result = new CompletableFuture<>();
        loop.execute(() -> {
            if (closed) {
                result.completeExceptionally(new IllegalStateException("the Kafka client for " + settings.describe()
                        + " was closed"));
                return;
            }
            lastPendingNanos = System.nanoTime();
            if (pending.isEmpty()) {
                firstPendingNanos = lastPendingNanos;
            }
            pending.add(new PollCycle.Query(group, topics, deadlineNanos, result));
            scheduleFlush();
        });
        return result;
    }

    private void scheduleFlush() {
        if (!flushScheduled && !inFlight && !pending.isEmpty()) {
            flushScheduled = true;
            loop.schedule(this::flush, QUIET_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void flush() {
        flushScheduled = false;
        if (closed || inFlight || pending.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        long quietNanos = now - lastPendingNanos;
        if (quietNanos < TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS)
                && now - firstPendingNanos < TimeUnit.MILLISECONDS.toNanos(MAX_GATHER_MILLIS)) {
            flushScheduled = true; // requests are still arriving: wait until they stop
            loop.schedule(this::flush, TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS) - quietNanos, TimeUnit.NANOSECONDS);
            return;
        }
        List<PollCycle.Query> batch = new ArrayList<>(pending);
        pending.clear();
        Admin client;
        try {
            client = admin();
        } catch (RuntimeException e) {
            String problem = "cannot create a Kafka client for " + settings.describe() + ": " + PollCycle.describe(e);
            batch.forEach(q -> q.result().completeExceptionally(new IllegalStateException(problem)));
            return;
        }
        inFlight = true;
        long started = System.nanoTime();
        long requestsBefore = requests(client);
        // read() completes, never fails: a cycle that failed as a whole is a Result too.
        PollCycle.read(client, settings.describe(), batch, loop).thenAcceptAsync(result -> {
            inFlight = false;
            cycles++;
            lastCycleMillis = (System.nanoTime() - started) / 1e6;
            lastCycleRequests = requests(client) - requestsBefore;
            // After the figures: an answered poll's cycle is already counted.
            batch.forEach(query -> answer(query, result));
            boolean refused = result.authenticationFailed();
            if (refused && admin == client) {
                // The credentials may have been rotated in their files: the next cycle's client re-reads them.
                if (!credentialsRefused) { // logged once, not once per poll
                    LOG.warn("the brokers at {} refused the client's credentials; each poll creates a new client,"
                            + " reading them again", settings.describe());
                    credentialsRefused = true;
                }
                closeAdmin();
            } else if (!refused && credentialsRefused) {
                LOG.info("the brokers at {} accept the client's credentials again", settings.describe());
                credentialsRefused = false;
            }
            scheduleFlush();
        }, loop);
    }

    private void answer(PollCycle.Query query, PollCycle.Result result) {
        PollCycle.Answer answer;
        try {
            answer = PollCycle.answer(result, settings.describe(), query);
        } catch (RuntimeException e) { // a bug, not a broker's answer: fail the poll, never leave it hanging
            answer = PollCycle.answer(PollCycle.Result.failed(settings.describe(), e), settings.describe(), query);
        }
        if (answer.error() != null) {
            query.result().completeExceptionally(new IllegalStateException(answer.error()));
        } else {
            query.result().complete(answer.offsets());
        }
    }

    private Admin admin() {
        if (admin == null) {
            admin = Admin.create(settings.clientProperties(clientId));
            clientsCreated++;
        }
        return admin;
    }

    private void closeAdmin() {
        if (admin != null) {
            requestsBeforeClient += requests(admin);
            admin.close(Duration.ZERO); // abandons calls in flight; their metrics are failed by the cycle
            admin = null;
        }
    }

    /** Stops the cycles and closes the client; runs on the loop. */
    void close() {
        loop.execute(() -> {
            closed = true;
            pending.forEach(q -> q.result().completeExceptionally(new IllegalStateException(
                    "the Kafka client for " + settings.describe() + " was closed")));
            pending.clear();
            closeAdmin();
        });
    }

    long cycles() {
        return cycles;
    }

    double lastCycleMillis() {
        return lastCycleMillis;
    }

    long lastCycleRequests() {
        return lastCycleRequests;
    }

    long clientsCreated() {
        return clientsCreated;
    }

    /** Requests sent by this cluster's clients, the current one and those closed before it. */
    long requestsTotal() {
        Admin current = admin;
        return requestsBeforeClient + (current == null ? 0 : requests(current));
    }

    long connections() {
        Admin current = admin;
        return current == null ? 0 : (long) metricValue(current, "connection-count");
    }

    private static long requests(Admin admin) {
        return (long) metricValue(admin, "request-total");
    }

    private static double metricValue(Admin admin, String name) {
        try {
            for (Map.Entry<MetricName, ? extends Metric> e : admin.metrics().entrySet()) {
                MetricName metricName = e.getKey();
                if (metricName.name().equals(name) && metricName.group().equals("admin-client-metrics")) {
                    Object value = e.getValue().metricValue();
                    return value instanceof Number n ? n.doubleValue() : 0;
                }
            }
        } catch (RuntimeException e) { // a closed client
            return 0;
        }
        return 0;
    }
}
