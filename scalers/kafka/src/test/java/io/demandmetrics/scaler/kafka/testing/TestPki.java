package io.demandmetrics.scaler.kafka.testing;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test CA and the PEM files a TLS broker and its clients need: EC P-256, keys in PKCS#8
 * (the only PEM key form Kafka reads), server certificates for 127.0.0.1.
 */
public final class TestPki {

    private final KeyPair caKeys;
    private final X509Certificate caCert;
    private long serial = 1;

    public TestPki() throws Exception {
        caKeys = keys();
        caCert = certificate("CN=test-ca", caKeys, caKeys.getPrivate(), new X500Name("CN=test-ca"), true, false);
    }

    /** The CA certificate, for trust stores. */
    public Path writeCa(Path file) throws Exception {
        Files.writeString(file, pem("CERTIFICATE", caCert.getEncoded()));
        return file;
    }

    /**
     * Issues a certificate: writes {@code name.crt} and {@code name.key} (PKCS#8) in {@code dir},
     * and {@code name.pem} holding both, which Kafka takes as a PEM key store.
     */
    public Path issue(Path dir, String name, boolean server) throws Exception {
        KeyPair pair = keys();
        X509Certificate cert = certificate("CN=" + name, pair, caKeys.getPrivate(), new X500Name("CN=test-ca"), false, server);
        String certPem = pem("CERTIFICATE", cert.getEncoded());
        String keyPem = pem("PRIVATE KEY", pair.getPrivate().getEncoded());
        Files.writeString(dir.resolve(name + ".crt"), certPem);
        Files.writeString(dir.resolve(name + ".key"), keyPem);
        Files.writeString(dir.resolve(name + ".pem"), keyPem + certPem);
        return dir.resolve(name + ".pem");
    }

    private X509Certificate certificate(String subject, KeyPair keys, PrivateKey signer, X500Name issuer, boolean ca,
                                        boolean server) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(serial++),
                Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)),
                new X500Name(subject), keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (server) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
