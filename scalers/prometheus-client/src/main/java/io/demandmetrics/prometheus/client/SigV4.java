package io.demandmetrics.prometheus.client;

import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.support.SharedResources;
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
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * AWS Signature Version 4 for Amazon Managed Prometheus (service {@code aps}), with the AWS
 * SDK's own signer. Credentials: the SDK's default chain (environment, profile, IRSA web
 * identity, EKS Pod Identity, container and instance metadata), or a role assumed through STS
 * with that chain's credentials, refreshed before the session expires. One per region and
 * role, shared by every metric that signs with them ({@link #acquire}, in the adapter's
 * {@link ScalerContext#shared} registry), so a thousand metrics hold one STS session. Resolving
 * credentials may block: sign on a worker.
 */
public final class SigV4 {

    static final String SERVICE = "aps";
    /** What the adapter's STS sessions are called in CloudTrail. */
    static final String SESSION_NAME = "demand-metrics-adapter";

    private record Key(String region, String roleArn) {
    }

    /** The signers of one adapter. */
    private static final class Registry {
        final SharedResources<Key, SigV4> signers = new SharedResources<>(SigV4::close);
    }

    private final String region;
    private final String roleArn;
    /** Built on first use, on a worker: the SDK reads its configuration files then. */
    private AwsCredentialsProvider credentials;
    private StsClient sts;

    private SigV4(String region, String roleArn) {
        this.region = region;
        this.roleArn = roleArn;
    }

    /** A lease on the signer for {@code region} and {@code roleArn} (null: the default chain's own identity). */
    static SharedResources<?, SigV4>.Lease acquire(ScalerContext context, String region, String roleArn) {
        return context.shared(Registry.class, Registry::new).signers
                .acquire(new Key(region, roleArn), users -> new SigV4(region, roleArn));
    }

    /** The headers that sign a GET of {@code url} now ({@code Authorization}, {@code X-Amz-Date}, ...). */
    Map<String, String> headers(URI url, Clock clock) {
        return headers(url, credentials().resolveCredentials(), region, clock);
    }

    private synchronized AwsCredentialsProvider credentials() {
        if (credentials == null) {
            AwsCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
            if (roleArn == null) {
                credentials = chain;
            } else {
                // STS's endpoint is the region's, or AWS_ENDPOINT_URL_STS (a VPC endpoint), as the SDK reads it.
                sts = StsClient.builder().region(Region.of(region)).credentialsProvider(chain)
                        .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
                credentials = StsAssumeRoleCredentialsProvider.builder().stsClient(sts)
                        .asyncCredentialUpdateEnabled(true)
                        .refreshRequest(r -> r.roleArn(roleArn).roleSessionName(SESSION_NAME)).build();
            }
        }
        return credentials;
    }

    private synchronized void close() {
        if (credentials instanceof SdkAutoCloseable closeable) {
            closeable.close();
        }
        if (sts != null) {
            sts.close();
        }
    }

    /** The same with given credentials: what a server checking the signature computes (tests do). */
    public static Map<String, String> headers(URI url, AwsCredentialsIdentity identity, String region, Clock clock) {
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
