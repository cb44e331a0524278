package io.demandmetrics.scaler.sqs;

import java.net.URI;

/**
 * How to reach SQS as one identity: region, endpoint and credentials. Metrics with equal
 * settings share one {@code SqsAsyncClient}. Holds where secrets are, never their values.
 *
 * @param endpoint the endpoint override ({@code awsEndpoint}), or null for the region's
 * @param roleArn a role to assume through STS, or null
 * @param accessKeyIdFile with {@code secretAccessKeyFile}: static keys from files, or null
 *     for the SDK's default credentials chain
 * @param sessionTokenFile a session token for temporary static keys, or null
 */
record ClientSettings(String region, URI endpoint, String roleArn, String accessKeyIdFile,
                      String secretAccessKeyFile, String sessionTokenFile) {

    /** For messages: the region and, when set, the endpoint. */
    String describe() {
        return endpoint == null ? "region " + region : endpoint + " (region " + region + ")";
    }
}
