package io.demandmetrics.adapter.auth;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * One or more CA certificates that client certificates must chain to, checked in application
 * code: the TLS layer only requests a certificate and proves the client holds its key, so
 * which CA a chain belongs to (front proxy or client CA) decides what it may do.
 */
public final class CertificateAuthority {

    private static final String CLIENT_AUTH_USAGE = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_USAGE = "2.5.29.37.0";

    private final List<X509Certificate> certificates;
    private final Set<TrustAnchor> anchors = new HashSet<>();

    private CertificateAuthority(List<X509Certificate> certificates) {
        this.certificates = List.copyOf(certificates);
        certificates.forEach(c -> anchors.add(new TrustAnchor(c, null)));
    }

    /**
     * Parses a PEM bundle.
     *
     * @throws IllegalArgumentException when it holds no certificate
     */
    public static CertificateAuthority fromPem(String pem, String source) {
        try {
            var parsed = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            List<X509Certificate> certificates = parsed.stream().map(X509Certificate.class::cast).toList();
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(source + " holds no PEM certificate");
            }
            return new CertificateAuthority(certificates);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(source + " holds no valid PEM certificate: " + e.getMessage(), e);
        }
    }

    public List<X509Certificate> certificates() {
        return certificates;
    }

    /**
     * Whether the chain (leaf first) leads to one of these CAs, is valid now, and the leaf may
     * be used for client authentication.
     */
    public boolean verifies(List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            return false;
        }
        try {
            X509Certificate leaf = chain.get(0);
            List<String> usages = leaf.getExtendedKeyUsage();
            if (usages != null && !usages.contains(CLIENT_AUTH_USAGE) && !usages.contains(ANY_USAGE)) {
                return false;
            }
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(new Date());
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(chain), parameters);
            return true;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The subject's common name, or "" when it has none. */
    static String commonName(X509Certificate certificate) {
        return attributes(certificate, "CN").stream().findFirst().orElse("");
    }

    /** The subject's organizations: a client certificate's groups. */
    static List<String> organizations(X509Certificate certificate) {
        return attributes(certificate, "O");
    }

    private static List<String> attributes(X509Certificate certificate, String type) {
        try {
            return new LdapName(certificate.getSubjectX500Principal().getName()).getRdns().stream()
                    .filter(rdn -> rdn.getType().equalsIgnoreCase(type))
                    .map(Rdn::getValue).map(String::valueOf).toList();
        } catch (javax.naming.InvalidNameException e) {
            return List.of();
        }
    }
}
