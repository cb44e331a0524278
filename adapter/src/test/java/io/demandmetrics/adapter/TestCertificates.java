package io.demandmetrics.adapter;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A test CA and client and serving certificates signed by it. */
final class TestCertificates {

    final KeyPair caKeys;
    final X509Certificate ca;
    private final String caName;

    TestCertificates(String caName) throws Exception {
        this.caName = caName;
        caKeys = keys();
        ca = sign(caName, caKeys, caName, caKeys.getPrivate(), true);
    }

    void writeCa(Path file) throws Exception {
        Files.writeString(file, caPem());
    }

    /** A client certificate and its key, signed by this CA. */
    record Issued(X509Certificate certificate, PrivateKey key, X509Certificate issuer) {

        /** A key manager presenting this certificate. */
        KeyManagerFactory keyManager() throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", key, new char[0], new X509Certificate[] {certificate, issuer});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, new char[0]);
            return factory;
        }

        String certificatePem() throws Exception {
            return pem(certificate);
        }

        String keyPem() throws Exception {
            return pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
        }
    }

    /** A key manager presenting a client certificate with this CN, signed by this CA. */
    KeyManagerFactory client(String commonName) throws Exception {
        return issue(commonName, null).keyManager();
    }

    /** A client certificate with this CN and, when not null, organization (a Kubernetes group). */
    Issued issue(String commonName, String organization) throws Exception {
        KeyPair keys = keys();
        String subject = organization == null ? commonName : commonName + ",O=" + organization;
        return new Issued(sign(subject, keys, caName, caKeys.getPrivate(), false), keys.getPrivate(), ca);
    }

    /** A serving certificate for {@code dnsName}, signed by this CA. */
    Issued server(String dnsName) throws Exception {
        KeyPair keys = keys();
        var builder = builder(dnsName, keys, caName, false);
        builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
        return new Issued(new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate()))),
                keys.getPrivate(), ca);
    }

    String caPem() throws Exception {
        return pem(ca);
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(String subject, KeyPair keys, String issuer, PrivateKey issuerKey, boolean ca)
            throws Exception {
        return new JcaX509CertificateConverter().getCertificate(builder(subject, keys, issuer, ca)
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }

    private static JcaX509v3CertificateBuilder builder(String subject, KeyPair keys, String issuer, boolean ca)
            throws Exception {
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(new X500Name("CN=" + issuer),
                new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=" + subject), keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        return builder;
    }

    private static String pem(Object object) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
