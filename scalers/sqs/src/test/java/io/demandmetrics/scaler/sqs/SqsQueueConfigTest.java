package io.demandmetrics.scaler.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.demandmetrics.scaler.spi.InvalidConfigException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SqsQueueConfigTest {

    private static final String URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders";
    private final SqsQueueScalerProvider provider = new SqsQueueScalerProvider();

    private static Map<String, Object> params(Object... kv) {
        Map<String, Object> p = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void defaultsAreKedas() throws Exception {
        SqsQueueConfig c = provider.parseConfig(params("queueURL", URL));
        assertThat(c.queue()).isEqualTo(new QueueAddress(URL, "orders", "eu-west-1"));
        assertThat(c.client().region()).isEqualTo("eu-west-1");
        assertThat(c.activationQueueLength()).isZero();
        assertThat(c.scaleOnInFlight()).isTrue();
        assertThat(c.scaleOnDelayed()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
        "https://sqs.us-gov-west-1.amazonaws.com/123456789012/jobs.fifo, jobs.fifo, us-gov-west-1",
        "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/jobs, jobs, cn-north-1",
        "https://eu-central-1.queue.amazonaws.com/123456789012/jobs, jobs, eu-central-1",
        "https://vpce-0a1b.sqs.ap-south-1.vpce.amazonaws.com/123456789012/jobs, jobs, ap-south-1",
        "http://127.0.0.1:9324/000000000000/jobs, jobs, ",
    })
    void theRegionComesFromTheUrlWhenItNamesOne(String url, String name, String region) {
        assertThat(QueueAddress.parse(url)).isEqualTo(new QueueAddress(url, name, region));
    }

    static List<Object[]> broken() {
        return List.of(
                new Object[] {params("queueURL", URL, "queueLength", 5), "parameter \"queueLength\" is the HPA's per-replica"
                    + " target here, not a scaler parameter: put it in the HPA as target: {type: AverageValue, averageValue: \"5\"}"},
                new Object[] {params("queueURL", "orders"), "missing required parameter \"awsRegion\" (the queueURL names no region)"},
                new Object[] {params("queueURL", URL, "awsRegion", "us-east-1"),
                    "parameter \"awsRegion\" value \"us-east-1\" does not match the region of \"queueURL\" (eu-west-1)"},
                new Object[] {params("queueURL", "orders", "awsRegion", "europe"),
                    "parameter \"awsRegion\" value \"europe\" is not an AWS region (e.g. eu-west-1)"},
                new Object[] {params("queueURL", "ftp://sqs/1/orders"), "parameter \"queueURL\" value \"ftp://sqs/1/orders\" is not"
                    + " an http(s) queue URL like https://sqs.eu-west-1.amazonaws.com/123456789012/orders"},
                new Object[] {params("queueURL", "https://sqs.eu-west-1.amazonaws.com/orders"), "parameter \"queueURL\" value"
                    + " \"https://sqs.eu-west-1.amazonaws.com/orders\" has no /ACCOUNT/QUEUE path (e.g."
                    + " https://sqs.eu-west-1.amazonaws.com/123456789012/orders)"},
                new Object[] {params("queueURL", "my orders"), "parameter \"queueURL\" value \"my orders\" is neither a queue URL"
                    + " nor a queue name (1-80 letters, digits, - and _, .fifo for FIFO queues)"},
                new Object[] {params("queueURL", URL, "awsEndpoint", "localhost:4566"),
                    "parameter \"awsEndpoint\" value \"localhost:4566\" is not an http(s) URL"},
                new Object[] {params("queueURL", URL, "roleArn", "scaler"),
                    "parameter \"roleArn\" value \"scaler\" is not an IAM role ARN (arn:aws:iam::123456789012:role/name)"},
                new Object[] {params("queueURL", URL, "accessKeyIdFile", "/etc/passwd"), "parameters \"accessKeyIdFile\" and"
                    + " \"secretAccessKeyFile\" go together: set both for static keys, or neither for the default credentials chain"},
                new Object[] {params("queueURL", URL, "awsSecretAccessKey", "wJalrXUtnFEMI"), "secrets are not written in the"
                    + " config: use \"accessKeyIdFile\" and \"secretAccessKeyFile\" (a mounted Secret), \"roleArn\", or the"
                    + " default credentials chain (IRSA, EKS Pod Identity, ...)"},
                new Object[] {params("queueURL", URL, "accessKeyIdFile", "/no/such/id", "secretAccessKeyFile", "/etc/passwd"),
                    "parameter \"accessKeyIdFile\" value \"/no/such/id\" is not a readable file (a mounted Secret's path?)"},
                new Object[] {params("queueURL", URL, "awsRoleArn", "arn:aws:iam::123456789012:role/scaler"),
                    "parameter \"awsRoleArn\" is KEDA's name: here it is \"roleArn\""},
                new Object[] {params("queueURL", URL, "queueLenght", 5),
                    "unknown parameter \"queueLenght\"; known: [accessKeyIdFile, activationQueueLength, awsEndpoint, awsRegion,"
                        + " queueURL, roleArn, scaleOnDelayed, scaleOnInFlight, secretAccessKeyFile, sessionTokenFile]"},
                new Object[] {params("queueURL", URL, "activationQueueLength", -1),
                    "parameter \"activationQueueLength\" value \"-1\" must be >= 0"});
    }

    @ParameterizedTest
    @MethodSource("broken")
    void badConfigGetsOneClearMessage(Map<String, Object> parameters, String message) {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> provider.parseConfig(parameters));
        assertThat(e).isNotNull();
        assertThat(e.problems()).containsExactly(message);
        assertThat(String.join("\n", e.problems())).doesNotContain("wJalrXUtnFEMI");
    }
}
