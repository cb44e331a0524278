package io.demandmetrics.scaler.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * How to reach one Kafka cluster as one identity: bootstrap servers, TLS, SASL and any other
 * client properties. Two metrics with equal settings share one Admin client. Holds where
 * secrets are, never their values, so it is safe to compare, log and use as a map key.
 *
 * @param tls TLS settings, or null for a plaintext connection
 * @param sasl SASL settings, or null for none
 * @param properties other Kafka client properties, passed through as given
 */
record ClusterSettings(String bootstrapServers, Tls tls, Sasl sasl, SortedMap<String, String> properties) {

    /**
     * TLS with PEM files. Any of them may be null: no CA means the JVM's trust store, no
     * certificate and key means no client authentication.
     */
    record Tls(String caFile, String certFile, String keyFile, SecretSource keyPassword) {
    }

    /**
     * SASL. For PLAIN and SCRAM, {@code username} and {@code password}; for OAUTHBEARER, the
     * client-credentials flow against {@code tokenEndpointUrl}.
     */
    record Sasl(String mechanism, String username, SecretSource password, String tokenEndpointUrl,
                String clientId, SecretSource clientSecret, String scope) {
    }

    /** What the cluster's log lines and errors call it. */
    String describe() {
        return bootstrapServers;
    }

    /**
     * The Admin client's properties, with secrets read from their files and variables.
     * Reads files: call it off the event loop.
     *
     * @throws IllegalStateException naming the file or variable that could not be read
     */
    Map<String, Object> clientProperties(String clientId) {
        Map<String, Object> props = new HashMap<>(properties);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        // A broker outage must not turn into a reconnect storm: back off up to 10 s per node.
        props.putIfAbsent(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 10_000);
        props.putIfAbsent(AdminClientConfig.METADATA_MAX_AGE_CONFIG, 60_000);
        String protocol = (tls != null ? "SSL" : "PLAINTEXT");
        if (sasl != null) {
            protocol = tls != null ? "SASL_SSL" : "SASL_PLAINTEXT";
            props.put(SaslConfigs.SASL_MECHANISM, sasl.mechanism());
            props.put(SaslConfigs.SASL_JAAS_CONFIG, jaasConfig(sasl));
            if (sasl.tokenEndpointUrl() != null) {
                props.put(SaslConfigs.SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL, sasl.tokenEndpointUrl());
                props.put(SaslConfigs.SASL_LOGIN_CALLBACK_HANDLER_CLASS,
                        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler");
                allowTokenEndpoint(sasl.tokenEndpointUrl());
            }
        }
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
        if (tls != null) {
            if (tls.caFile() != null) {
                props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
                props.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, readFile("tls.caFile", tls.caFile()));
            }
            if (tls.certFile() != null) {
                String key = readFile("tls.keyFile", tls.keyFile());
                if (!key.contains("-----BEGIN PRIVATE KEY-----") && !key.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
                    throw new IllegalStateException("the key in " + tls.keyFile() + " is not a PKCS#8 PEM key"
                            + " (BEGIN PRIVATE KEY); Kafka reads no other form. Convert it with"
                            + " 'openssl pkcs8 -topk8 -nocrypt', or set privateKey.encoding: PKCS8 in cert-manager");
                }
                props.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
                props.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, readFile("tls.certFile", tls.certFile()));
                props.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, key);
                if (tls.keyPassword() != null) {
                    props.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, tls.keyPassword().read());
                }
            }
        }
        return props;
    }

    private static String jaasConfig(Sasl sasl) {
        if (sasl.tokenEndpointUrl() != null) {
            StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required")
                    .append(" clientId=").append(quoted(sasl.clientId()))
                    .append(" clientSecret=").append(quoted(sasl.clientSecret().read()));
            if (sasl.scope() != null) {
                jaas.append(" scope=").append(quoted(sasl.scope()));
            }
            return jaas.append(';').toString();
        }
        String module = sasl.mechanism().equals("PLAIN")
                ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=" + quoted(sasl.username())
                + " password=" + quoted(sasl.password().read()) + ";";
    }

    /** A JAAS option value: quoted, with backslashes and quotes escaped. */
    private static String quoted(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /**
     * Kafka 4 refuses token endpoints that the JVM-wide allow-list does not name. The adapter's
     * config is the operator's, so the endpoint it names is allowed.
     */
    private static synchronized void allowTokenEndpoint(String url) {
        String property = "org.apache.kafka.sasl.oauthbearer.allowed.urls";
        String allowed = System.getProperty(property, "");
        if (!java.util.Arrays.asList(allowed.split(",")).contains(url)) {
            System.setProperty(property, allowed.isEmpty() ? url : allowed + "," + url);
        }
    }

    private static String readFile(String parameter, String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + parameter + " " + file + ": " + e.getClass().getSimpleName());
        }
    }
}
