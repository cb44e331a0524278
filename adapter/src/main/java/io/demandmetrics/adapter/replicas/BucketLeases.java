package io.demandmetrics.adapter.replicas;

import io.demandmetrics.adapter.objects.ApiCallDeadline;
import io.demandmetrics.scaler.support.Durations;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which buckets of work this replica owns, held as Kubernetes Leases
 * ({@code coordination.k8s.io/v1}) in the adapter's namespace, one per bucket, as Knative's
 * autoscaler holds its buckets; plus one Lease per live replica, so each knows how many share
 * the work and takes its fair share, {@code ceil(buckets / replicas)}, releasing what is over
 * it when a replica joins and taking a departed one's buckets when its Leases lapse.
 *
 * <p>Why not fabric8's {@code LeaderElector}: it runs one elector (and its scheduling) per
 * Lease, and decides that a Lease has expired by comparing the holder's written
 * {@code renewTime} with this node's clock, so a skew between nodes shortens or lengthens every
 * takeover. Here, as in client-go, a Lease has expired when this replica has not seen it change
 * for its {@code leaseDurationSeconds}, timed by its own monotonic clock; and one loop looks at
 * every Lease with one LIST per retry period.
 *
 * <p><b>The guarantee</b> (no fencing, as client-go says of its own election): a holder acts as
 * the owner until {@code renewDeadline} after sending its last successful renewal, and checks
 * that every retry period; nobody takes a bucket until its Lease has not changed for
 * {@code leaseDuration} by the taker's clock, which {@link LeaseTiming} makes at least
 * {@code renewDeadline + retryPeriod}. So while both processes run, ownership moves without
 * overlap, a released bucket after its owner stopped; what still overlaps is a poll already in
 * flight when the bucket is lost (bounded by the metric's timeout). A holder whose process is
 * frozen for longer than the lease duration (a GC pause, a suspended node) acts on the bucket
 * for at most one more retry period after it wakes. Both are harmless here: polls only read
 * the sources, and every reading carries the time it was taken, so the newest wins.
 *
 * <p>The deadline does not wait on the API: a watchdog thread of its own lets a bucket go at its
 * renew deadline even while a call to the API hangs (a partition can hold a call for the
 * client's whole timeout and retries). Nor does the loop wait on the API for good: each call is
 * given up after twice the retry period ({@link ApiCallDeadline}), so a replica cut off rejoins
 * once the API answers again. The callbacks run one at a time, on this class's threads.
 */
public final class BucketLeases implements AutoCloseable {

    /** What the holder learns: a bucket is its own from now, or no longer. */
    public interface Listener {
        void acquired(int bucket);

        /** @param why for the log: released to balance, taken by another, not renewed in time */
        void lost(int bucket, String why);
    }

    /** Every Lease of one adapter Deployment carries this label, whose value names the set. */
    public static final String SET_LABEL = "demand-metrics.io/lease-set";
    /** {@code bucket} or {@code replica}. */
    public static final String ROLE_LABEL = "demand-metrics.io/lease-role";
    /** On a replica's own Lease: where its peer port is ({@code host:port}). */
    public static final String PEER_ADDRESS = "demand-metrics.io/peer-address";

    private static final Logger LOG = LoggerFactory.getLogger(BucketLeases.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String setName;
    private final int buckets;
    private final String identity;
    private final String peerAddress;
    private final LeaseTiming timing;
    private final Listener listener;
    private final LongSupplier nanoClock;
    private final ScheduledExecutorService loop;
    private final ScheduledExecutorService watchdog;
    private final Duration callBound;
    private final Object callbacks = new Object();

    // Touched only by the loop's thread.
    private final Map<String, Observed> observed = new HashMap<>();
    private String lastUnreachable;

    /**
     * Held buckets, and when the last renewal that succeeded was sent (nanoClock). The loop
     * adds and renews; the loop or the watchdog removes, and whoever removes calls {@link Listener#lost}.
     */
    private final ConcurrentSkipListMap<Integer, Long> held = new ConcurrentSkipListMap<>();
    private volatile String lastFailure = "";

    private volatile Map<Integer, String> holders = Map.of();
    private volatile Map<String, String> peers = Map.of();
    private volatile int replicasSeen = 1;

    /** A Lease as this replica last saw it change, by its own clock. */
    private record Observed(String holder, ZonedDateTime renewTime, int durationSeconds, long sinceNanos) {

        boolean expired(long now) {
            return holder == null || holder.isEmpty() || now - sinceNanos > TimeUnit.SECONDS.toNanos(durationSeconds);
        }
    }

    /**
     * @param setName the Leases' common name prefix and {@link #SET_LABEL} value (the Deployment's name)
     * @param identity this replica, unique across restarts (the pod name and a random suffix)
     * @param peerAddress where the other replicas reach this one's peer port ({@code podIP:port}), or null
     */
    public BucketLeases(KubernetesClient client, String namespace, String setName, int buckets, String identity,
                        String peerAddress, LeaseTiming timing, Listener listener) {
        this(client, namespace, setName, buckets, identity, peerAddress, timing, listener, System::nanoTime);
    }

    BucketLeases(KubernetesClient client, String namespace, String setName, int buckets, String identity,
                 String peerAddress, LeaseTiming timing, Listener listener, LongSupplier nanoClock) {
        if (buckets < 1) {
            throw new IllegalArgumentException("at least one bucket");
        }
        this.client = client;
        this.namespace = namespace;
        this.setName = setName;
        this.buckets = buckets;
        this.identity = identity;
        this.peerAddress = peerAddress;
        this.timing = timing;
        this.listener = listener;
        this.nanoClock = nanoClock;
        this.loop = daemonScheduler("bucket-leases");
        this.watchdog = daemonScheduler("bucket-leases-deadline");
        this.callBound = timing.retryPeriod().multipliedBy(2);
    }

    private static ScheduledExecutorService daemonScheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts looking at the Leases every retry period (the first look at once), and the deadline watch. */
    public void start() {
        loop.scheduleWithFixedDelay(this::tickSafely, 0, timing.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
        long watch = Math.max(20, timing.retryPeriod().toMillis() / 4);
        watchdog.scheduleWithFixedDelay(() -> loseOverdue(nanoClock.getAsLong()), watch, watch, TimeUnit.MILLISECONDS);
    }

    public String identity() {
        return identity;
    }

    /** The buckets this replica holds now. */
    public Set<Integer> held() {
        return Set.copyOf(held.keySet());
    }

    /**
     * The client settings for the Lease calls: each call bounded by the retry period and never
     * retried by the client (the next look retries), so a partition costs one look, not the
     * client's default 10 s timeout times its retries.
     */
    public static Config boundedCalls(Config base, LeaseTiming timing) {
        int millis = (int) timing.retryPeriod().toMillis();
        return new ConfigBuilder(base).withRequestTimeout(millis).withConnectionTimeout(millis)
                .withRequestRetryBackoffLimit(0).build();
    }

    /** Who holds {@code bucket} as last seen, or null when nobody live does. */
    public String holder(int bucket) {
        return holders.get(bucket);
    }

    /** The other live replicas, by identity, at the peer address each wrote on its Lease. */
    public Map<String, String> peers() {
        return peers;
    }

    /** The live replicas last seen, this one included. */
    public int replicas() {
        return replicasSeen;
    }

    static String bucketLeaseName(String setName, int bucket) {
        return setName + "-bucket-" + bucket;
    }

    private String replicaLeaseName() {
        return setName + "-replica-" + identity;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException | Error e) { // a bug: logged, and the next tick tries again
            // (an Error let out of a scheduled task would cancel every later tick, silently)
            LOG.error("bug while looking at the bucket Leases", e);
        }
    }

    /** One call to the API, given up after {@link #callBound} (twice the client's request timeout). */
    private <T> T call(Supplier<T> apiCall) {
        return ApiCallDeadline.within(callBound, apiCall);
    }

    private Lease create(Lease lease) {
        return call(() -> client.leases().inNamespace(namespace).resource(lease).create());
    }

    private Lease update(Lease lease) {
        return call(() -> client.leases().inNamespace(namespace).resource(lease).update());
    }

    private List<Lease> listLeases() {
        return call(() -> client.leases().inNamespace(namespace).withLabel(SET_LABEL, setName).list().getItems());
    }

    void tick() {
        long now = nanoClock.getAsLong();
        Map<String, Lease> leases = new HashMap<>();
        try {
            for (Lease lease : listLeases()) {
                leases.put(lease.getMetadata().getName(), lease);
            }
        } catch (KubernetesClientException e) {
            unreachable(now, e);
            return;
        }
        lastUnreachable = null;
        observe(leases, now);
        heartbeat(leases.get(replicaLeaseName()));
        renewHeld(leases, now);
        int replicas = liveReplicas(now);
        peers = livePeers(leases, now);
        int share = (buckets + replicas - 1) / replicas;
        releaseOverShare(share, replicas, leases);
        acquireUpToShare(share, leases, now);
        publish(now, replicas);
    }

    /** The API did not answer: held buckets are kept until their renew deadline (the watchdog's), then let go. */
    private void unreachable(long now, KubernetesClientException e) {
        String why = "cannot reach the Kubernetes API: " + e.getMessage();
        lastFailure = why;
        if (!why.equals(lastUnreachable)) {
            LOG.warn("bucket Leases: {}", why);
            lastUnreachable = why;
        }
        publish(now, replicasSeen);
    }

    private void observe(Map<String, Lease> leases, long now) {
        observed.keySet().retainAll(leases.keySet());
        leases.forEach((name, lease) -> {
            var spec = lease.getSpec();
            String holder = spec == null ? null : spec.getHolderIdentity();
            ZonedDateTime renewed = spec == null ? null : spec.getRenewTime();
            int duration = spec == null || spec.getLeaseDurationSeconds() == null
                    ? (int) timing.leaseDuration().toSeconds() : spec.getLeaseDurationSeconds();
            Observed seen = observed.get(name);
            if (seen == null || !Objects.equals(seen.holder(), holder) || !Objects.equals(seen.renewTime(), renewed)) {
                observed.put(name, new Observed(holder, renewed, duration, now));
            }
        });
    }

    /** This replica's own Lease: it says the replica is alive, so the others count it. */
    private void heartbeat(Lease mine) {
        try {
            if (mine == null) {
                Lease lease = newLease(replicaLeaseName(), "replica");
                if (peerAddress != null) {
                    lease.getMetadata().getAnnotations().put(PEER_ADDRESS, peerAddress);
                }
                create(lease);
            } else {
                mine.getSpec().setRenewTime(now());
                update(mine);
            }
        } catch (KubernetesClientException e) {
            LOG.debug("replica Lease not renewed this time: {}", e.getMessage());
        }
    }

    private void renewHeld(Map<String, Lease> leases, long now) {
        for (Integer bucket : new ArrayList<>(held.keySet())) {
            if (!held.containsKey(bucket)) {
                continue; // the watchdog let it go while an earlier renewal waited for the API
            }
            Lease lease = leases.get(bucketLeaseName(setName, bucket));
            String holder = lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
            if (!identity.equals(holder)) {
                lose(bucket, lease == null ? "its Lease was deleted" : "taken by " + (holder == null || holder.isEmpty()
                        ? "nobody (released)" : holder));
                continue;
            }
            long sent = nanoClock.getAsLong();
            try {
                lease.getSpec().setRenewTime(now());
                leases.put(lease.getMetadata().getName(), update(lease));
                held.replace(bucket, sent); // not put: the watchdog may have let it go meanwhile
            } catch (KubernetesClientException e) {
                lastFailure = e.getMessage();
            }
        }
    }

    /** The watchdog: every held bucket not renewed within the renew deadline is let go. */
    private void loseOverdue(long now) {
        for (Map.Entry<Integer, Long> entry : held.entrySet()) {
            if (now - entry.getValue() > timing.renewDeadline().toNanos()) {
                lose(entry.getKey(), "not renewed within " + Durations.format(timing.renewDeadline()) + " ("
                        + (lastFailure.isEmpty() ? "the Kubernetes API did not answer" : lastFailure) + ")");
            }
        }
    }

    private int liveReplicas(long now) {
        int live = 1; // this one, whose own Lease may not be written yet
        String mine = replicaLeaseName();
        for (Map.Entry<String, Observed> entry : observed.entrySet()) {
            if (entry.getKey().startsWith(setName + "-replica-") && !entry.getKey().equals(mine)) {
                if (!entry.getValue().expired(now)) {
                    live++;
                } else if (now - entry.getValue().sinceNanos() > 2 * timing.leaseDuration().toNanos()) {
                    deleteQuietly(entry.getKey()); // a replica long gone: keep the list short
                }
            }
        }
        return live;
    }

    private Map<String, String> livePeers(Map<String, Lease> leases, long now) {
        Map<String, String> live = new HashMap<>();
        leases.forEach((name, lease) -> {
            Observed seen = observed.get(name);
            String address = lease.getMetadata().getAnnotations() == null ? null
                    : lease.getMetadata().getAnnotations().get(PEER_ADDRESS);
            if (name.startsWith(setName + "-replica-") && !name.equals(replicaLeaseName()) && address != null
                    && seen != null && !seen.expired(now)) {
                live.put(seen.holder(), address);
            }
        });
        return Map.copyOf(live);
    }

    /** A replica joined: give back what is over the fair share, stopping the work first. */
    private void releaseOverShare(int share, int replicas, Map<String, Lease> leases) {
        release(share, "released to balance the buckets over " + replicas + " replicas", leases);
    }

    /** Releases the held buckets after the first {@code keep}, the work of each stopped first. */
    private void release(int keep, String why, Map<String, Lease> leases) {
        List<Integer> mine = new ArrayList<>(held.keySet());
        for (int i = mine.size() - 1; i >= keep; i--) {
            int bucket = mine.get(i);
            lose(bucket, why);
            Lease lease = leases.get(bucketLeaseName(setName, bucket));
            if (lease != null) {
                try {
                    lease.getSpec().setHolderIdentity("");
                    lease.getSpec().setRenewTime(now());
                    update(lease);
                } catch (KubernetesClientException e) {
                    LOG.debug("bucket {} not released (it lapses instead): {}", bucket, e.getMessage());
                }
            }
        }
    }

    private void acquireUpToShare(int share, Map<String, Lease> leases, long now) {
        for (int bucket = 0; bucket < buckets && held.size() < share; bucket++) {
            if (held.containsKey(bucket)) {
                continue;
            }
            String name = bucketLeaseName(setName, bucket);
            Lease lease = leases.get(name);
            Observed seen = observed.get(name);
            long sent = nanoClock.getAsLong();
            try {
                if (lease == null) {
                    create(newLease(name, "bucket"));
                } else if (seen != null && seen.expired(now)) {
                    var spec = lease.getSpec();
                    spec.setHolderIdentity(identity);
                    spec.setAcquireTime(now());
                    spec.setRenewTime(now());
                    spec.setLeaseDurationSeconds((int) timing.leaseDuration().toSeconds());
                    spec.setLeaseTransitions(spec.getLeaseTransitions() == null ? 1 : spec.getLeaseTransitions() + 1);
                    update(lease);
                } else {
                    continue; // held by a live replica
                }
            } catch (KubernetesClientException e) {
                continue; // another replica was faster (a conflict), or the API failed: next time
            }
            synchronized (callbacks) {
                held.put(bucket, sent);
                LOG.info("bucket {} acquired ({} of {} buckets held, fair share {})", bucket, held.size(), buckets, share);
                listener.acquired(bucket);
            }
        }
    }

    /** Whoever removes the bucket (the loop or the watchdog) tells the listener, once. */
    private void lose(int bucket, String why) {
        synchronized (callbacks) {
            if (held.remove(bucket) != null) {
                LOG.info("bucket {} lost: {}", bucket, why);
                listener.lost(bucket, why);
            }
        }
    }

    private void publish(long now, int replicas) {
        Map<Integer, String> live = new HashMap<>();
        for (int bucket = 0; bucket < buckets; bucket++) {
            Observed seen = observed.get(bucketLeaseName(setName, bucket));
            if (held.containsKey(bucket)) {
                live.put(bucket, identity);
            } else if (seen != null && !seen.expired(now)) {
                live.put(bucket, seen.holder());
            }
        }
        holders = Map.copyOf(live);
        replicasSeen = replicas;
    }

    private Lease newLease(String name, String role) {
        ZonedDateTime now = now();
        return new LeaseBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(SET_LABEL, setName).addToLabels(ROLE_LABEL, role).withAnnotations(new HashMap<>())
                .endMetadata()
                .withNewSpec().withHolderIdentity(identity).withAcquireTime(now).withRenewTime(now)
                .withLeaseDurationSeconds((int) timing.leaseDuration().toSeconds()).withLeaseTransitions(0).endSpec()
                .build();
    }

    private void deleteQuietly(String name) {
        try {
            call(() -> client.leases().inNamespace(namespace).withName(name).delete());
        } catch (KubernetesClientException e) {
            LOG.debug("stale replica Lease {} not deleted: {}", name, e.getMessage());
        }
    }

    private static ZonedDateTime now() {
        return ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Stops the work of every held bucket, then releases their Leases and deletes this
     * replica's own, so the others take over at their next look instead of after the lease
     * duration (a rolling restart hands over in a retry period).
     */
    @Override
    public void close() {
        watchdog.shutdownNow();
        loop.shutdown();
        try {
            if (!loop.awaitTermination(timing.retryPeriod().toMillis() * 5, TimeUnit.MILLISECONDS)) {
                loop.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<String, Lease> leases = new HashMap<>();
        try {
            listLeases().forEach(lease -> leases.put(lease.getMetadata().getName(), lease));
        } catch (KubernetesClientException | IllegalStateException e) { // the API unreachable, the client closed
            LOG.warn("bucket Leases not released at shutdown (they lapse instead): {}", e.getMessage());
        }
        release(0, "this replica is shutting down", leases);
        deleteQuietly(replicaLeaseName());
    }
}
