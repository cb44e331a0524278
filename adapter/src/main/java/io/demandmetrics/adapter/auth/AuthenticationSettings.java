package io.demandmetrics.adapter.auth;

/**
 * What authenticates a request: a front-proxy certificate plus identity headers, or a client
 * certificate from the client CA (either may be absent), or a bearer token (TokenReview).
 */
public record AuthenticationSettings(RequestHeaderSettings requestHeader, CertificateAuthority clientCa) {
}
