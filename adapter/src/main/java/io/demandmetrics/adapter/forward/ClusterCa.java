package io.demandmetrics.adapter.forward;

import io.demandmetrics.adapter.config.ForwardBackend;
import io.vertx.core.Future;

/**
 * Where a backend configured with {@code caFromAPIService} gets its serving CA: from the cluster,
 * off the event loop.
 */
public interface ClusterCa {

    /** Without a Kubernetes API (standalone): there is no APIService to read. */
    ClusterCa NONE = backend -> Future.failedFuture("caFromAPIService needs the Kubernetes API, and the adapter"
            + " runs standalone: give caFile");

    /**
     * The PEM of the CA that {@code backend}'s serving certificate chains to.
     *
     * @return failed with a message that says why it is not known and what to do
     */
    Future<String> read(ForwardBackend backend);
}
