package io.demandmetrics.scaler.support;

import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;

/**
 * The TLS implementation of every connection the adapter's Vert.x serves or opens (the API
 * server, the peer server and client, forwarding, the scalers' HTTP clients): BoringSSL
 * (netty-tcnative) when its native library loads on this platform, else the JDK's engine.
 *
 * <p>One choice for all of them, not only for the API server: a connection on the JDK's engine
 * makes Netty look for Bouncy Castle's JSSE, and with Bouncy Castle on the adapter's class path
 * (it writes the self-signed certificates) that instantiates Bouncy Castle's whole JCE provider:
 * hundreds of classes and megabytes of heap and metaspace, in every replica that opened a peer
 * connection.
 */
public final class TlsEngine {

    private TlsEngine() {
    }

    /** A new options object for the preferred engine (Vert.x options are mutable: one per use). */
    public static SSLEngineOptions preferred() {
        return OpenSSLEngineOptions.isAvailable() ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions();
    }

    /** The engine's name, for the startup log. */
    public static String name() {
        return OpenSSLEngineOptions.isAvailable() ? "BoringSSL" : "JDK";
    }
}
