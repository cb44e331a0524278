package io.demandmetrics.adapter.auth;

import io.demandmetrics.adapter.api.PathSegments;
import io.demandmetrics.adapter.failure.RequestFailure;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Who is calling, in Kubernetes' order: a front-proxy certificate with identity headers, a
 * client certificate, a bearer token. Anything else is 401.
 *
 * <p>Identity headers are read only on a connection whose certificate chains to the
 * requestheader CA and whose common name is allowed: from anyone else they are spoofing and
 * ignored, never an identity.
 */
public final class RequestAuthenticator {

    static final String AUTHENTICATED_GROUP = "system:authenticated";

    private final Supplier<AuthenticationSettings> settings;
    private final TokenReviewer tokens;
    /**
     * What a connection's certificate proves, worked out once per connection (chain validation
     * checks signatures: too slow for every request) and again only if the settings rotate.
     */
    private final Map<HttpConnection, CertificateIdentity> connections = new ConcurrentHashMap<>();

    /**
     * @param frontProxy the certificate chains to the front-proxy CA with an allowed name
     * @param rejection why a front-proxy certificate was refused, or null
     * @param clientUser the client-CA user the certificate authenticates, or null
     */
    private record CertificateIdentity(AuthenticationSettings settings, boolean presented, boolean frontProxy,
                                       RequestFailure rejection, UserInfo clientUser) {
    }

    /**
     * @param settings the current settings; read per request, so a rotated CA applies at once
     * @param tokens reviews bearer tokens, or null to accept none
     */
    public RequestAuthenticator(Supplier<AuthenticationSettings> settings, TokenReviewer tokens) {
        this.settings = settings;
        this.tokens = tokens;
    }

    /**
     * The caller, always in group {@code system:authenticated}, or a future failed with a 401
     * {@link RequestFailure}.
     */
    public Future<UserInfo> authenticate(HttpServerRequest request) {
        return identify(request).map(RequestAuthenticator::authenticated);
    }

    private Future<UserInfo> identify(HttpServerRequest request) {
        CertificateIdentity certificate = certificateIdentity(request.connection());
        if (certificate.rejection() != null) {
            return Future.failedFuture(certificate.rejection());
        }
        if (certificate.frontProxy()) {
            UserInfo user = fromHeaders(certificate.settings().requestHeader(), request.headers());
            if (user != null) {
                return Future.succeededFuture(user);
            }
        }
        if (certificate.clientUser() != null) {
            return Future.succeededFuture(certificate.clientUser());
        }
        String token = bearerToken(request.getHeader("Authorization"));
        if (token != null && tokens != null) {
            return tokens.review(token).compose(user -> user
                    .map(Future::succeededFuture)
                    .orElseGet(() -> Future.failedFuture(new RequestFailure.Unauthenticated("the bearer token was not accepted"))));
        }
        return Future.failedFuture(new RequestFailure.Unauthenticated(!certificate.presented()
                ? "Unauthorized: no client certificate or bearer token"
                : "Unauthorized: the client certificate is not signed by a trusted CA"));
    }

    private CertificateIdentity certificateIdentity(HttpConnection connection) {
        AuthenticationSettings current = settings.get();
        CertificateIdentity known = connections.get(connection);
        if (known != null && known.settings() == current) {
            return known;
        }
        CertificateIdentity fresh = verify(peerChain(connection), current);
        connections.put(connection, fresh);
        return fresh;
    }

    /**
     * Forgets what was verified for a connection that closed. The server calls it from the
     * connection's one close handler: Vert.x keeps one per connection, so a second one set
     * here would silently replace the server's.
     */
    public void connectionClosed(HttpConnection connection) {
        connections.remove(connection);
    }

    private static CertificateIdentity verify(List<X509Certificate> chain, AuthenticationSettings current) {
        if (chain.isEmpty()) {
            return new CertificateIdentity(current, false, false, null, null);
        }
        boolean frontProxy = false;
        RequestHeaderSettings front = current.requestHeader();
        if (front != null && front.ca().verifies(chain)) {
            String name = CertificateAuthority.commonName(chain.get(0));
            if (!front.allowedNames().isEmpty() && !front.allowedNames().contains(name)) {
                return new CertificateIdentity(current, true, false, new RequestFailure.Unauthenticated("the front-proxy"
                        + " certificate's common name \"" + name + "\" is not among the requestheader allowed names"),
                        null);
            }
            frontProxy = true;
        }
        UserInfo clientUser = null;
        CertificateAuthority clientCa = current.clientCa();
        if (clientCa != null && clientCa.verifies(chain)) {
            X509Certificate leaf = chain.get(0);
            clientUser = new UserInfo(CertificateAuthority.commonName(leaf), CertificateAuthority.organizations(leaf),
                    Map.of());
        }
        return new CertificateIdentity(current, true, frontProxy, null, clientUser);
    }

    private static UserInfo fromHeaders(RequestHeaderSettings front, MultiMap headers) {
        String name = null;
        for (String header : front.usernameHeaders()) {
            String value = headers.get(header);
            if (value != null && !value.isEmpty()) {
                name = value;
                break;
            }
        }
        if (name == null) {
            return null;
        }
        List<String> groups = new ArrayList<>();
        for (String header : front.groupHeaders()) {
            groups.addAll(headers.getAll(header));
        }
        Map<String, List<String>> extra = new LinkedHashMap<>();
        for (Map.Entry<String, String> header : headers) {
            for (String prefix : front.extraHeaderPrefixes()) {
                if (header.getKey().regionMatches(true, 0, prefix, 0, prefix.length())) {
                    String key = extraKey(header.getKey().substring(prefix.length()));
                    extra.computeIfAbsent(key, k -> new ArrayList<>()).add(header.getValue());
                }
            }
        }
        return new UserInfo(name, groups, extra);
    }

    /**
     * As upstream's requestheader authenticator: lower-cased, then path-unescaped ({@code +}
     * stays {@code +}), and kept as sent when it does not unescape.
     */
    static String extraKey(String raw) {
        String lower = raw.toLowerCase(Locale.ROOT);
        try {
            return PathSegments.decode(lower);
        } catch (RequestFailure.BadRequest malformed) {
            return lower;
        }
    }

    /** Every authenticated user is in {@code system:authenticated}, as Kubernetes' group adder makes it. */
    private static UserInfo authenticated(UserInfo user) {
        if (user.groups().contains(AUTHENTICATED_GROUP)) {
            return user;
        }
        List<String> groups = new ArrayList<>(user.groups());
        groups.add(AUTHENTICATED_GROUP);
        return new UserInfo(user.name(), groups, user.extra());
    }

    private static List<X509Certificate> peerChain(HttpConnection connection) {
        try {
            List<Certificate> certificates = connection.peerCertificates();
            if (certificates == null) {
                return List.of();
            }
            return certificates.stream().filter(X509Certificate.class::isInstance)
                    .map(X509Certificate.class::cast).toList();
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    private static String bearerToken(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }
}
