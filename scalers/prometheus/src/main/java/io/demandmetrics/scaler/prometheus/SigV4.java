package io.demandmetrics.scaler.prometheus;

import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * AWS Signature Version 4 for Amazon Managed Prometheus (service {@code aps}), with the AWS
 * SDK's own signer and its default credentials chain (environment, profile, IRSA web identity,
 * EKS Pod Identity, container and instance metadata). Resolving credentials may block: call
 * it on a worker.
 */
final class SigV4 {

    static final String SERVICE = "aps";

    private final String region;
    private final AwsCredentialsProvider credentials;

    SigV4(String region) {
        this(region, DefaultCredentialsProvider.builder().build());
    }

    SigV4(String region, AwsCredentialsProvider credentials) {
        this.region = region;
        this.credentials = credentials;
    }

    /** The headers that sign a GET of {@code url} now ({@code Authorization}, {@code X-Amz-Date}, ...). */
    Map<String, String> headers(URI url, Clock clock) {
        return headers(url, credentials.resolveCredentials(), region, clock);
    }

    /** The same with given credentials: what a server checking the signature computes. */
    static Map<String, String> headers(URI url, AwsCredentialsIdentity identity, String region, Clock clock) {
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(url).build();
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(identity).request(request)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SERVICE)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, clock)).request();
        Map<String, String> headers = new LinkedHashMap<>();
        signed.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Host") && !values.isEmpty()) {
                headers.put(name, String.join(",", values));
            }
        });
        return headers;
    }
}
