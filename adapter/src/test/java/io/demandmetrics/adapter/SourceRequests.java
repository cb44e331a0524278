package io.demandmetrics.adapter;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.lang.management.ManagementFactory;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** Counting a source's requests where they arrive, for the replica tests and benchmarks. */
final class SourceRequests {

    private static final Pattern QUEUE_URL = Pattern.compile("QueueUrl\"?\\s*[:=]\\s*\"?([^\"&,}]+)");

    private SourceRequests() {
    }

    /**
     * An SQS call as {@code Action queue} (a {@link CountingHttpProxy} key), from the JSON
     * protocol's target header or the query protocol's form.
     */
    static String sqsCall(HttpServerRequest request, Buffer body) {
        String text = body.toString(StandardCharsets.UTF_8);
        String target = request.getHeader("X-Amz-Target");
        String action = target != null ? target.substring(target.indexOf('.') + 1)
                : text.replaceAll("(?s).*Action=([A-Za-z]+).*", "$1");
        Matcher queue = QUEUE_URL.matcher(text);
        String name = queue.find() ? URLDecoder.decode(queue.group(1), StandardCharsets.UTF_8) : "?";
        return action + " " + name.substring(name.lastIndexOf('/') + 1);
    }

    /** Requests of one type ({@code OffsetFetch}) a Kafka broker running in this JVM has handled, by its own meters. */
    static long brokerRequests(String type) throws Exception {
        MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
        long total = 0;
        for (ObjectName name : beans.queryNames(new ObjectName(
                "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=" + type + ",*"), null)) {
            total += ((Number) beans.getAttribute(name, "Count")).longValue();
        }
        return total;
    }
}
