package io.demandmetrics.scaler.support;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * TLS for a scaler's HTTP client from PEM files (mounted Secrets): the CA that signs the
 * server's certificate, a client certificate and its key, or no verification at all. One way
 * for every scaler that speaks HTTPS, so that the same settings mean the same thing.
 *
 * <p>Vert.x reads the files when the client is created: create it on a worker
 * ({@link ScalerContext#blockingExecutor()}), never on an event loop.
 */
public final class ClientTls {

    private ClientTls() {
    }

    /**
     * Adds the TLS settings to {@code options}, on the adapter's {@link TlsEngine}; each null file
     * is left out. Whether a request uses TLS follows from its URL (https) or from
     * {@link HttpClientOptions#setSsl}.
     *
     * @param caFile the server's CA, or null for the JVM's trust store
     * @param certFile the client certificate, or null for none; needs {@code keyFile}
     * @param keyFile the client certificate's private key
     * @param trustAll accept any server certificate and host name (an escape hatch, off by default)
     * @return {@code options}
     */
    public static HttpClientOptions apply(HttpClientOptions options, String caFile, String certFile, String keyFile,
                                          boolean trustAll) {
        options.setSslEngineOptions(TlsEngine.preferred());
        if (caFile != null) {
            options.setTrustOptions(new PemTrustOptions().addCertPath(caFile));
        }
        if (certFile != null) {
            options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(certFile).setKeyPath(keyFile));
        }
        if (trustAll) {
            options.setTrustAll(true).setVerifyHost(false);
        }
        return options;
    }
}
