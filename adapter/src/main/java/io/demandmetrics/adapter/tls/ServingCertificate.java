package io.demandmetrics.adapter.tls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;

/**
 * The serving certificate and key files, read into memory so that a rotation (cert-manager
 * rewriting a mounted Secret) is noticed by content and validated before it is applied.
 *
 * @param fingerprint SHA-256 of both files, to tell whether they changed
 */
public record ServingCertificate(Path certFile, Path keyFile, Buffer cert, Buffer key, String fingerprint) {

    /**
     * Reads and checks both files.
     *
     * @throws IOException when a file cannot be read or does not hold a PEM certificate and key
     */
    public static ServingCertificate read(Path certFile, Path keyFile) throws IOException {
        byte[] cert = Files.readAllBytes(certFile);
        byte[] key = Files.readAllBytes(keyFile);
        try {
            if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(cert)).isEmpty()) {
                throw new IOException(certFile + " holds no PEM certificate");
            }
        } catch (CertificateException e) {
            throw new IOException(certFile + " holds no valid PEM certificate: " + e.getMessage());
        }
        if (!new String(key, java.nio.charset.StandardCharsets.US_ASCII).contains("PRIVATE KEY-----")) {
            throw new IOException(keyFile + " holds no PEM private key");
        }
        return new ServingCertificate(certFile, keyFile, Buffer.buffer(cert), Buffer.buffer(key), Sha256.hex(cert, key));
    }

    public PemKeyCertOptions keyCertOptions() {
        return new PemKeyCertOptions().addCertValue(cert).addKeyValue(key);
    }
}
