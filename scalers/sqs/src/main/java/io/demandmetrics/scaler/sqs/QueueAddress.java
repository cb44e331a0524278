package io.demandmetrics.scaler.sqs;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The queue a metric reads, as written in {@code queueURL}: a full URL
 * ({@code https://sqs.eu-west-1.amazonaws.com/123456789012/orders}) or a bare name
 * ({@code orders}), which GetQueueUrl resolves once.
 *
 * @param url the queue URL, or null for a bare name
 * @param name the queue's name: the URL's last path segment, or the bare name
 * @param region the region the URL's host names, or null when it names none (a custom endpoint)
 */
record QueueAddress(String url, String name, String region) {

    /** sqs.REGION.amazonaws.com[.cn], REGION.queue.amazonaws.com, vpce-...sqs.REGION.vpce.amazonaws.com. */
    private static final Pattern REGION_IN_HOST = Pattern.compile(
            "(?:^|\\.)sqs\\.([a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\\d)\\.|^([a-z]{2}(?:-gov)?-[a-z]+-\\d)\\.queue\\.");
    private static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,80}(\\.fifo)?");

    /**
     * @throws IllegalArgumentException saying what is wrong with the text
     */
    static QueueAddress parse(String text) {
        String trimmed = text.trim();
        if (!trimmed.contains("/")) {
            if (!QUEUE_NAME.matcher(trimmed).matches()) {
                throw new IllegalArgumentException("is neither a queue URL nor a queue name (1-80 letters, digits,"
                        + " - and _, .fifo for FIFO queues)");
            }
            return new QueueAddress(null, trimmed, null);
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a URL: " + e.getReason());
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("is not an http(s) queue URL like"
                    + " https://sqs.eu-west-1.amazonaws.com/123456789012/orders");
        }
        String[] path = uri.getPath() == null ? new String[0] : uri.getPath().replaceAll("^/+|/+$", "").split("/");
        if (path.length != 2 || !QUEUE_NAME.matcher(path[1]).matches()) {
            throw new IllegalArgumentException("has no /ACCOUNT/QUEUE path (e.g."
                    + " https://sqs.eu-west-1.amazonaws.com/123456789012/orders)");
        }
        Matcher region = REGION_IN_HOST.matcher(uri.getHost());
        String regionName = region.find() ? (region.group(1) != null ? region.group(1) : region.group(2)) : null;
        return new QueueAddress(trimmed, path[1], regionName);
    }
}
