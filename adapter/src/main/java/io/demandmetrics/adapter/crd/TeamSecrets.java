package io.demandmetrics.adapter.crd;

import io.demandmetrics.adapter.objects.ApiCallDeadline;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Secrets DemandMetrics take credentials from, and the files the scalers read them from.
 *
 * <p>What the adapter reads: in a namespace where some DemandMetric names a Secret, one
 * informer lists and watches that namespace's Secrets labelled
 * {@code demandmetrics.io/credentials: "true"}, and no others (RBAC cannot grant by label, so
 * the label is the owner's consent, and the cache holds nothing else). Whether it may list
 * them at all is the namespace's decision: a RoleBinding of the ClusterRole
 * {@code demandmetrics-read-credentials} there (deploy/rbac.yaml); without one the informer is
 * refused and the DemandMetrics that name a Secret say so in their status. A Secret is only
 * ever looked up in the namespace of the DemandMetric that names it.
 *
 * <p>A key's value is written to a file below {@code dir} (owner-only permissions, a path with
 * the Secret's resourceVersion in it) and the DemandMetric's parameter becomes that file's path,
 * the way the config file names a mounted Secret: the scalers read credentials from files, and
 * a changed Secret is a changed definition, so the metric is rebuilt with the new value.
 * Files no longer named are deleted a turn later (the metrics a turn replaces read theirs until
 * the switch), and all of them when the adapter stops.
 */
public final class TeamSecrets implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TeamSecrets.class);
    /** The label a Secret's owner sets to let DemandMetrics of its namespace use it. */
    public static final String LABEL = "demandmetrics.io/credentials";
    /** The ClusterRole a namespace binds to the adapter's service account to let it list those. */
    public static final String READER_ROLE = "demandmetrics-read-credentials";
    private static final java.util.regex.Pattern SECRET_NAME =
            java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final java.util.regex.Pattern SECRET_KEY = java.util.regex.Pattern.compile("[-._a-zA-Z0-9]+");
    /** How long a config turn waits for a namespace's first list. */
    private static final Duration FIRST_LIST = Duration.ofSeconds(10);
    /** At most this many namespaces' first lists at once ({@link #watchAll}). */
    private static final int FIRST_LISTS_AT_ONCE = 8;
    /** After a refused list, how long until the next turn tries again. */
    private static final long RETRY_MILLIS = 60_000;

    /** A Secret key's file, or why there is none. */
    public record Resolved(Path file, String problem) {
    }

    /** One namespace's informer, or why it has none. */
    private record Watched(SharedIndexInformer<Secret> informer, String refusal) {
    }

    private final KubernetesClient kubernetes;
    private final Vertx vertx;
    private final Path dir;
    private volatile Runnable changed = () -> { };
    /** By namespace; added to only in config turns (one at a time). */
    private final Map<String, Watched> watched = new ConcurrentHashMap<>();
    /** Refusals logged (namespace and message): a namespace tried every minute logs its refusal once. */
    private final Set<String> refusalsLogged = ConcurrentHashMap.newKeySet();
    /** The files named at the turn before the last: still read by the metrics that turn replaced. */
    private Set<Path> usedBefore = Set.of();
    private final AtomicLong version = new AtomicLong();
    private volatile boolean closed;

    /** @param dir where the files are written (the deployment mounts a memory-backed emptyDir) */
    public TeamSecrets(KubernetesClient kubernetes, Vertx vertx, Path dir) {
        this.kubernetes = kubernetes;
        this.vertx = vertx;
        this.dir = dir;
    }

    /** @param changed asks for a config turn: a named Secret changed, or a refused namespace may be tried again */
    public void onChange(Runnable changed) {
        this.changed = changed;
    }

    /**
     * Goes up at every change of a watched Secret (and when a refused namespace may be tried
     * again): what was read with another version is read again.
     */
    public long version() {
        return version.get();
    }

    /**
     * The file holding {@code key} of Secret {@code namespace/name}, written if need be, or why
     * there is none. Called in config turns, on a worker: the first call for a namespace starts
     * its informer and waits for its first list.
     */
    public Resolved file(String namespace, String name, String key) {
        if (closed) {
            return new Resolved(null, "the adapter is stopping");
        }
        if (!SECRET_NAME.matcher(name).matches() || name.length() > 253) {
            return new Resolved(null, "\"" + name + "\" is not a Secret's name");
        }
        if (!SECRET_KEY.matcher(key).matches() || key.equals(".") || key.equals("..") || key.length() > 253) {
            return new Resolved(null, "\"" + key + "\" is not a Secret's key");
        }
        Watched namespaceSecrets = watched.computeIfAbsent(namespace, this::watch);
        if (namespaceSecrets.refusal() != null) {
            return new Resolved(null, namespaceSecrets.refusal());
        }
        Secret secret = namespaceSecrets.informer().getStore().getByKey(namespace + "/" + name);
        if (secret == null) {
            return new Resolved(null, "Secret " + namespace + "/" + name + " does not exist or is not labelled "
                    + LABEL + "=true (the label lets DemandMetrics of its namespace use it)");
        }
        byte[] value = value(secret, key);
        if (value == null) {
            return new Resolved(null, "Secret " + namespace + "/" + name + " has no key \"" + key + "\"; it has "
                    + keys(secret));
        }
        Path file = dir.resolve(namespace).resolve(name).resolve(secret.getMetadata().getResourceVersion()).resolve(key);
        try {
            write(file, value);
        } catch (IOException | UncheckedIOException e) {
            LOG.error("cannot write a credentials file below {}: {}", dir, e.getMessage());
            return new Resolved(null, "the adapter cannot write credentials files (its log says why)");
        }
        return new Resolved(file, null);
    }

    /**
     * Starts watching those of {@code namespaces} not watched yet, their first lists at once (at
     * most {@value #FIRST_LISTS_AT_ONCE} at a time), and waits for them. Called in a config turn,
     * on a worker, before its reads ask for files ({@link #file}) one by one: a turn whose
     * DemandMetrics name Secrets in many namespaces waits for the slowest first list, not for their
     * sum (against an API server that does not answer, each namespace held the turn up to the
     * request timeout and {@code FIRST_LIST}, one after another).
     */
    public void watchAll(Set<String> namespaces) {
        List<String> unwatched = namespaces.stream().filter(namespace -> !watched.containsKey(namespace))
                .sorted().toList();
        if (unwatched.size() < 2 || closed) {
            return; // one namespace: file() starts it
        }
        ExecutorService lists = Executors.newFixedThreadPool(Math.min(unwatched.size(), FIRST_LISTS_AT_ONCE),
                job -> {
                    Thread thread = new Thread(job, "team-secrets-first-list");
                    thread.setDaemon(true);
                    return thread;
                });
        try {
            Map<String, Future<Watched>> starting = new LinkedHashMap<>();
            unwatched.forEach(namespace -> starting.put(namespace, lists.submit(() -> watch(namespace))));
            for (Map.Entry<String, Future<Watched>> each : starting.entrySet()) {
                Watched started;
                try {
                    started = each.getValue().get();
                } catch (ExecutionException e) {
                    // watch() turns every failure of the API into a refusal: what lands here is a bug, and
                    // file() tries the namespace again on its own. The other namespaces are kept.
                    LOG.error("cannot start watching the Secrets of namespace {}", each.getKey(), e.getCause());
                    continue;
                }
                if (watched.putIfAbsent(each.getKey(), started) != null && started.informer() != null) {
                    started.informer().stop(); // watched meanwhile: one informer a namespace
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the adapter is stopping; the lists still running are interrupted
        } finally {
            lists.shutdownNow();
        }
    }

    /**
     * In a turn, once every DemandMetric is read: stops watching the namespaces not in
     * {@code namespaces}, and deletes the files named neither now ({@code used}) nor at the turn
     * before (the metrics this turn replaces read those until the switch).
     */
    public void retain(Set<String> namespaces, Set<Path> used) {
        Set<Path> kept = new HashSet<>(used);
        kept.addAll(usedBefore);
        usedBefore = Set.copyOf(used);
        watched.entrySet().removeIf(entry -> {
            if (namespaces.contains(entry.getKey())) {
                return false;
            }
            if (entry.getValue().informer() != null) {
                entry.getValue().informer().stop();
            }
            return true;
        });
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).filter(path -> !path.equals(dir))
                    .filter(path -> Files.isDirectory(path) ? isEmpty(path) : !kept.contains(path))
                    .forEach(TeamSecrets::delete);
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cannot clean the credentials files below {}: {}", dir, e.getMessage());
        }
    }

    private Watched watch(String namespace) {
        try {
            // Asked first with one small list: an informer refused logs a stack trace at every try.
            // Bounded here: a config turn waits for it, and a stalled answer would hold every turn after.
            ApiCallDeadline.within(FIRST_LIST, () -> kubernetes.secrets().inNamespace(namespace).withLabel(LABEL, "true")
                    .list(new ListOptionsBuilder().withLimit(1L).build()));
        } catch (KubernetesClientException e) {
            return refused(namespace, e);
        }
        SharedIndexInformer<Secret> informer = kubernetes.secrets().inNamespace(namespace).withLabel(LABEL, "true")
                .runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Secret secret) {
                secretChanged();
            }

            @Override
            public void onUpdate(Secret before, Secret after) {
                if (!before.getMetadata().getResourceVersion().equals(after.getMetadata().getResourceVersion())) {
                    secretChanged();
                }
            }

            @Override
            public void onDelete(Secret secret, boolean finalStateUnknown) {
                secretChanged();
            }
        });
        try {
            informer.start().toCompletableFuture().get(FIRST_LIST.toMillis(), TimeUnit.MILLISECONDS);
            refusalsLogged.removeIf(logged -> logged.startsWith(namespace + "\n"));
            LOG.info("reading Secrets labelled {}=true in namespace {} for its DemandMetrics", LABEL, namespace);
            return new Watched(informer, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            informer.stop();
            return new Watched(null, "the adapter is stopping");
        } catch (ExecutionException | TimeoutException e) {
            informer.stop();
            return refused(namespace, e instanceof ExecutionException ? e.getCause() : e);
        }
    }

    /** A namespace whose Secrets cannot be listed: said once, tried again at the first turn after a minute. */
    private Watched refused(String namespace, Throwable cause) {
        String refusal = refusal(namespace, cause);
        if (refusalsLogged.add(namespace + "\n" + refusal)) {
            LOG.warn("{}; trying again every {} s", refusal, RETRY_MILLIS / 1000);
        }
        Watched refused = new Watched(null, refusal);
        vertx.setTimer(RETRY_MILLIS, id -> {
            if (watched.remove(namespace, refused)) {
                secretChanged(); // the turn this asks for lists the namespace anew
            }
        });
        return refused;
    }

    /** A watched Secret changed, or a refused namespace is to be tried again: a turn reads them anew. */
    private void secretChanged() {
        version.incrementAndGet();
        changed.run();
    }

    private static String refusal(String namespace, Throwable cause) {
        if (cause instanceof KubernetesClientException refused && (refused.getCode() == 403
                || refused.getCode() == 401)) {
            return "the adapter may not read Secrets in namespace " + namespace + ": to let its DemandMetrics take"
                    + " credentials from Secrets, bind the ClusterRole " + READER_ROLE + " to the adapter's service"
                    + " account there (README: Define a metric in your namespace)";
        }
        if (cause instanceof TimeoutException) {
            return "cannot list the Secrets of namespace " + namespace + ": the Kubernetes API did not answer within "
                    + FIRST_LIST.toSeconds() + " s";
        }
        return "cannot list the Secrets of namespace " + namespace + ": " + cause.getMessage();
    }

    private static byte[] value(Secret secret, String key) {
        if (secret.getData() != null && secret.getData().get(key) != null) {
            try {
                return Base64.getDecoder().decode(secret.getData().get(key));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        // The API server turns stringData into data; a client-side view may still carry it.
        if (secret.getStringData() != null && secret.getStringData().get(key) != null) {
            return secret.getStringData().get(key).getBytes(StandardCharsets.UTF_8);
        }
        return null;
    }

    private static String keys(Secret secret) {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        if (secret.getData() != null) {
            names.addAll(secret.getData().keySet());
        }
        if (secret.getStringData() != null) {
            names.addAll(secret.getStringData().keySet());
        }
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    /** Writes {@code value} to {@code file} once (a version's content does not change), readable by the owner only. */
    private static void write(Path file, byte[] value) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        createOwnerOnlyDirectories(file.getParent());
        Path partial = file.resolveSibling("." + file.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(partial, value);
        try {
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void createOwnerOnlyDirectories(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        createOwnerOnlyDirectories(directory.getParent());
        try {
            Files.createDirectory(directory,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // made meanwhile: fine
        }
    }

    private static boolean isEmpty(Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", path, e.getMessage());
        }
    }

    /** Stops the informers and deletes every file written: no credential outlives the adapter. */
    @Override
    public void close() {
        closed = true;
        watched.values().forEach(namespaceSecrets -> {
            if (namespaceSecrets.informer() != null) {
                namespaceSecrets.informer().stop();
            }
        });
        usedBefore = Set.of();
        retain(Set.of(), Set.of());
    }
}
