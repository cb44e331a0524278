package io.demandmetrics.scaler.sqs;

import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.support.BoundedQuote;
import io.demandmetrics.scaler.support.ParameterReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code aws-sqs-queue} scaler: a queue's depth, with KEDA's trigger parameters and
 * results. Metrics with the same region, endpoint and credentials share one async client.
 */
public final class SqsQueueScalerProvider implements ScalerProvider<SqsQueueConfig> {

    static final String TYPE = "aws-sqs-queue";

    private static final String[] KEYS = {"queueURL", "awsRegion", "awsEndpoint", "activationQueueLength",
        "scaleOnInFlight", "scaleOnDelayed", "roleArn", "accessKeyIdFile", "secretAccessKeyFile", "sessionTokenFile"};
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\\d");
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+");

    private final SqsClients clients = new SqsClients();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public SqsQueueConfig parseConfig(Map<String, Object> parameters) throws InvalidConfigException {
        Map<String, Object> accepted = new java.util.HashMap<>(parameters);
        List<String> kedaOnly = kedaOnly(accepted);
        ParameterReader p = new ParameterReader(accepted, KEYS);
        kedaOnly.forEach(p::problem);
        QueueAddress queue = queue(p);
        String region = region(p, queue);
        URI endpoint = endpoint(p);
        String roleArn = p.string("roleArn", null);
        if (roleArn != null && !ROLE_ARN.matcher(roleArn).matches()) {
            p.invalid("roleArn", roleArn, "is not an IAM role ARN (arn:aws:iam::123456789012:role/name)");
        }
        String keyId = p.readableFile("accessKeyIdFile");
        String secret = p.readableFile("secretAccessKeyFile");
        String token = p.readableFile("sessionTokenFile");
        if ((keyId == null) != (secret == null)) {
            p.problem("parameters \"accessKeyIdFile\" and \"secretAccessKeyFile\" go together: set both for static"
                    + " keys, or neither for the default credentials chain");
        }
        if (token != null && keyId == null) {
            p.problem("parameter \"sessionTokenFile\" needs \"accessKeyIdFile\" and \"secretAccessKeyFile\"");
        }
        long activation = p.integer("activationQueueLength", 0, 0);
        boolean inFlight = p.bool("scaleOnInFlight", true);
        boolean delayed = p.bool("scaleOnDelayed", false);
        p.throwIfInvalid();
        return new SqsQueueConfig(queue, new ClientSettings(region, endpoint, roleArn, keyId, secret, token), activation,
                inFlight, delayed);
    }

    /**
     * KEDA's parameters that are refused here, taken out of {@code accepted} with their own
     * advice: they stay out of the "known" list of a misspelt parameter's message, since they are
     * never accepted.
     */
    private static List<String> kedaOnly(Map<String, Object> accepted) {
        List<String> advice = new ArrayList<>();
        Object queueLength = accepted.remove("queueLength");
        if (queueLength != null) {
            advice.add("parameter \"queueLength\" is the HPA's per-replica target here, not a scaler parameter: put it"
                    + " in the HPA as target: {type: AverageValue, averageValue: " + BoundedQuote.quote(queueLength) + "}");
        }
        boolean inlineKeys = accepted.remove("awsAccessKeyID") != null;
        inlineKeys |= accepted.remove("awsSecretAccessKey") != null;
        inlineKeys |= accepted.remove("awsSessionToken") != null;
        if (inlineKeys) {
            advice.add("secrets are not written in the config: use \"accessKeyIdFile\" and \"secretAccessKeyFile\""
                    + " (a mounted Secret), \"roleArn\", or the default credentials chain (IRSA, EKS Pod Identity, ...)");
        }
        if (accepted.containsKey("awsRoleArn")) {
            advice.add("parameter \"awsRoleArn\" is KEDA's name: here it is \"roleArn\"");
            accepted.remove("awsRoleArn");
        }
        return advice;
    }

    private static QueueAddress queue(ParameterReader p) {
        String queueText = p.string("queueURL");
        if (queueText == null) {
            return null;
        }
        try {
            return QueueAddress.parse(queueText);
        } catch (IllegalArgumentException e) {
            p.invalid("queueURL", queueText, e.getMessage());
            return null;
        }
    }

    /** {@code awsRegion}, or the region a queue URL names (which it must then match). */
    private static String region(ParameterReader p, QueueAddress queue) {
        String region = p.string("awsRegion", null);
        if (region != null && !REGION.matcher(region).matches()) {
            p.invalid("awsRegion", region, "is not an AWS region (e.g. eu-west-1)");
        }
        if (queue != null && queue.region() != null) {
            if (region != null && !region.equals(queue.region())) {
                p.problem("parameter \"awsRegion\" value \"" + region + "\" does not match the region of \"queueURL\" ("
                        + queue.region() + ")");
            }
            return queue.region();
        }
        if (region == null && queue != null) {
            p.problem("missing required parameter \"awsRegion\" (the queueURL names no region)");
        }
        return region;
    }

    private static URI endpoint(ParameterReader p) {
        String endpointText = p.string("awsEndpoint", null);
        if (endpointText == null) {
            return null;
        }
        try {
            URI endpoint = new URI(endpointText);
            if (!"https".equals(endpoint.getScheme()) && !"http".equals(endpoint.getScheme()) || endpoint.getHost() == null) {
                throw new URISyntaxException(endpointText, "not http(s)");
            }
            return endpoint;
        } catch (URISyntaxException e) {
            p.invalid("awsEndpoint", endpointText, "is not an http(s) URL");
            return null;
        }
    }

    /** The endpoint and region (never the identity): an outage is one log line. */
    @Override
    public String source(SqsQueueConfig config, String namespace) {
        return "SQS " + config.client().describe();
    }

    @Override
    public Scaler createScaler(SqsQueueConfig config, ScalerContext context) {
        return new SqsQueueScaler(config, clients.acquire(config.client(), context.meterRegistry()), context);
    }
}
