package io.demandmetrics.adapter.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Another metrics adapter this one forwards to (KEDA's metrics server, prometheus-adapter): the
 * metrics of {@code groups} that this adapter does not serve are asked there.
 *
 * @param name names the backend in 503s, logs and {@code /metrics} (a DNS label)
 * @param url its HTTPS base, e.g. {@code https://keda-operator-metrics-apiserver.keda.svc:443}
 * @param service the Service {@code url} was made from; null when the config gave a URL
 * @param groups the API groups it serves ({@code external.metrics.k8s.io}, {@code custom.metrics.k8s.io})
 * @param caFile the PEM file of the CA its serving certificate chains to; else null
 * @param caFromApiService the APIService whose {@code caBundle} is that CA while it names {@code service}
 *     (e.g. {@code v1beta1.external.metrics.k8s.io}, read from the cluster); else null
 * @param insecureSkipTlsVerify accept any certificate (as an APIService with insecureSkipTLSVerify does)
 * @param tokenFile the bearer token this adapter presents (its service account's); null to present none
 * @param timeout how long one forwarded request may take, answer included
 * @param discoveryInterval how often its discovery documents are read again
 */
public record ForwardBackend(String name, URI url, Service service, List<String> groups, String caFile,
                             String caFromApiService, boolean insecureSkipTlsVerify, String tokenFile,
                             Duration timeout, Duration discoveryInterval) {

    /** A Service by namespace and name, as an APIService's {@code spec.service} names it. */
    public record Service(String namespace, String name) {

        @Override
        public String toString() {
            return namespace + "/" + name;
        }
    }

    public ForwardBackend {
        groups = List.copyOf(groups);
    }

    /** How it is named in messages: {@code backend "keda" (https://...)}. */
    public String describe() {
        return "backend \"" + name + "\" (" + url + ")";
    }
}
