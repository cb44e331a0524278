package io.demandmetrics.adapter.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed serving certificate, as Kubernetes extension servers make one in
 * {@code --cert-dir} when no certificate is given: EC P-256, valid for a year, for
 * localhost, the loopback addresses, the host name and the bind address.
 */
public final class SelfSignedCertificate {

    public static final String CERT_FILE = "apiserver.crt";
    public static final String KEY_FILE = "apiserver.key";

    private SelfSignedCertificate() {
    }

    /**
     * Returns the certificate and key in {@code dir}, generating them first when absent, so
     * a restart keeps the certificate clients may have pinned.
     *
     * @return {@code [certificate path, key path]}
     */
    public static List<Path> ensure(Path dir, String bindAddress, Duration validity) throws IOException {
        Path cert = dir.resolve(CERT_FILE);
        Path key = dir.resolve(KEY_FILE);
        if (Files.isRegularFile(cert) && Files.isRegularFile(key)) {
            return List.of(cert, key);
        }
        Files.createDirectories(dir);
        String[] pems = generate(names(bindAddress), validity);
        Path tmpKey = Files.createTempFile(dir, KEY_FILE, ".tmp");
        try {
            Files.setPosixFilePermissions(tmpKey, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own permissions protect the key
        }
        Files.writeString(tmpKey, pems[1]);
        Files.move(tmpKey, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(cert, pems[0]);
        return List.of(cert, key);
    }

    /** {@code [certificate PEM, PKCS#8 key PEM]} for the given DNS names and IP addresses. */
    public static String[] generate(Set<String> names, Duration validity) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=demand-metrics-adapter");
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, new SecureRandom()).abs(), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(validity)), subject, pair.getPublic());
            List<GeneralName> alternatives = new ArrayList<>();
            for (String name : names) {
                alternatives.add(isIpAddress(name) ? new GeneralName(GeneralName.iPAddress, name)
                        : new GeneralName(GeneralName.dNSName, name));
            }
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(alternatives.toArray(GeneralName[]::new)));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            var holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
            return new String[] {pem(new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter()
                    .getCertificate(holder)), pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(
                    pair.getPrivate(), null))};
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate a self-signed certificate: " + e.getMessage(), e);
        }
    }

    private static Set<String> names(String bindAddress) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        try {
            names.add(InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            // no resolvable host name: loopback names only
        }
        if (bindAddress != null && !bindAddress.equals("0.0.0.0") && !bindAddress.equals("::")) {
            names.add(bindAddress);
        }
        return names;
    }

    private static boolean isIpAddress(String name) {
        return name.contains(":") || name.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
