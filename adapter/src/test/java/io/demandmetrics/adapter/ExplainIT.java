package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.testfixtures.HeadlessChromium;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The explain page and its JSON through the running adapter: what each metric serves, its
 * health (a good one, a failing one), one metric's series and last hour, a 404 for a metric not
 * configured; the page opened in headless Chromium, its numbers those of the JSON, its chart
 * drawn.
 */
class ExplainIT {

    @TempDir
    Path dir;

    @Test
    void eachMetricIsExplainedAndThePageShowsIt() throws Exception {
        TestValuesScalerProvider.set("explained", List.of(Sample.of(Map.of("queue", "a"), 30),
                Sample.of(Map.of("queue", "b"), 12)));
        TestValuesScalerProvider.fail("broken", "broker 10.0.0.7:9092 unreachable");
        Path config = Files.writeString(dir.resolve("config.yaml"), """
                metrics:
                  - {name: explained, namespace: shop, type: test-values, parameters: {source: explained}, pollInterval: 100ms, maxAge: 10m}
                  - {name: broken, namespace: shop, type: test-values, parameters: {source: broken}, pollInterval: 100ms}
                """);
        Path average = hpa("orders-average", "AverageValue", "averageValue", "10", null, 3);
        Path value = hpa("orders-value", "Value", "value", "30", null, 4);
        Path pickA = hpa("orders-a", "AverageValue", "averageValue", "10", "queue: a", 2);
        MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));
        Adapter adapter = TestAdapters.start(dir, config, clock, "--hpa-files", average + "," + value + "," + pickA);
        HttpClient client = TestAdapters.client(TestAdapters.certFile(dir));
        try {
            // Four minutes of polls, a point of history for each.
            for (int minute = 0; minute < 4; minute++) {
                TestValuesScalerProvider.set("explained", List.of(Sample.of(Map.of("queue", "a"), 30 + minute),
                        Sample.of(Map.of("queue", "b"), 12)));
                int before = TestValuesScalerProvider.fetches("explained");
                await().atMost(Duration.ofSeconds(10)).until(() -> TestValuesScalerProvider.fetches("explained")
                        >= before + 2);
                clock.advance(Duration.ofMinutes(1));
            }
            int settled = TestValuesScalerProvider.fetches("explained");
            await().atMost(Duration.ofSeconds(10)).until(() -> TestValuesScalerProvider.fetches("explained")
                    >= settled + 2);

            JsonObject all = new JsonObject(get(client, adapter, "/explain.json").body());
            JsonArray metrics = all.getJsonArray("metrics");
            assertThat(metrics).hasSize(2);
            JsonObject explained = metrics.getJsonObject(0);
            assertThat(explained.getString("metric")).isEqualTo("shop/explained");
            assertThat(explained.getString("pollInterval")).isEqualTo("100ms");
            assertThat(explained.getJsonObject("value").getDouble("total")).isEqualTo(45.0); // 33 + 12
            assertThat(explained.getJsonObject("health").getString("status")).isEqualTo("ok");
            JsonObject broken = metrics.getJsonObject(1);
            assertThat(broken.getJsonObject("health").getString("status")).isEqualTo("failing, nothing served yet");
            assertThat(broken.getJsonObject("health").getString("lastError")).contains("broker 10.0.0.7:9092");

            JsonObject one = new JsonObject(get(client, adapter, "/explain.json?metric=shop/explained").body())
                    .getJsonArray("metrics").getJsonObject(0);
            assertThat(one.getJsonObject("value").getJsonArray("items")).hasSize(2);
            JsonArray history = one.getJsonArray("history");
            assertThat(history.size()).isBetween(4, 5);
            assertThat(history.getJsonObject(0).getDouble("total")).isEqualTo(42.0); // 30 + 12, a minute at a time
            assertThat(history.getJsonObject(history.size() - 1).getDouble("total")).isEqualTo(45.0);
            assertThat(get(client, adapter, "/explain.json?metric=shop/nope").statusCode()).isEqualTo(404);
            // The HPAs that read it, and what the controller would propose from 45 (33 + 12) now:
            // AverageValue 10 over 3 replicas: ratio 1.5, ceil(45 / 10) = 5;
            // Value 30 with 4 ready: ceil(1.5 x 4) = 6; AverageValue 10 on queue a only (33) over 2: ceil(3.3) = 4.
            Map<String, Integer> proposed = new java.util.TreeMap<>();
            for (Object hpa : one.getJsonArray("hpas")) {
                JsonObject entry = (JsonObject) hpa;
                proposed.put(entry.getString("hpa"), entry.getInteger("proposedReplicas"));
            }
            assertThat(proposed).isEqualTo(Map.of("shop/orders-average", 5, "shop/orders-value", 6,
                    "shop/orders-a", 4));

            HeadlessChromium chromium = new HeadlessChromium(dir);
            String dom = chromium.dom(adapter.url() + "/explain");
            assertThat(cell(dom, "shop/explained", "total")).isEqualTo("45");
            assertThat(cell(dom, "shop/broken", "health")).isEqualTo("failing, nothing served yet");
            String detail = chromium.dom(adapter.url() + "/explain?metric=shop/explained");
            Matcher row = Pattern.compile("<tr data-hpa=\"shop/orders-value\">.*?<td class=\"num proposed\">(\\d+)</td>",
                    Pattern.DOTALL).matcher(detail);
            assertThat(row.find()).isTrue();
            assertThat(row.group(1)).isEqualTo("6");
            BufferedImage page = chromium.screenshot(adapter.url() + "/explain?metric=shop/explained", 1200, 900);
            assertThat(HeadlessChromium.pixels(page, 0x1f77b4)).as("the history's line").isGreaterThan(200);
        } finally {
            adapter.stop();
        }
    }

    @Test
    void everyMetricIsListedAPageAtATimeInConfigOrder() throws Exception {
        TestValuesScalerProvider.set("paged", List.of(Sample.of(1)));
        StringBuilder yaml = new StringBuilder("metrics:\n");
        List<String> configured = new java.util.ArrayList<>();
        for (String name : List.of("m7", "m1", "m5", "m2", "m6", "m3", "m4")) { // config order, not sorted
            yaml.append("  - {name: ").append(name).append(", namespace: shop, type: test-values,"
                    + " parameters: {source: paged}, pollInterval: 1s}\n");
            configured.add("shop/" + name);
        }
        Path config = Files.writeString(dir.resolve("config.yaml"), yaml.toString());
        Adapter adapter = TestAdapters.start(dir, config, new MutableClock(Instant.parse("2026-11-30T12:00:00Z")));
        HttpClient client = TestAdapters.client(TestAdapters.certFile(dir));
        try {
            JsonObject whole = new JsonObject(get(client, adapter, "/explain.json").body());
            assertThat(ids(whole)).isEqualTo(configured); // within the default page: all, and no continue
            assertThat(whole.containsKey("continue")).isFalse();

            List<String> listed = new java.util.ArrayList<>();
            List<Integer> remaining = new java.util.ArrayList<>();
            String path = "/explain.json?limit=3";
            while (path != null) {
                JsonObject page = new JsonObject(get(client, adapter, path).body());
                listed.addAll(ids(page));
                remaining.add(page.getInteger("remaining", 0));
                path = page.containsKey("continue") ? "/explain.json?limit=3&continue="
                        + java.net.URLEncoder.encode(page.getString("continue"), java.nio.charset.StandardCharsets.UTF_8)
                        : null;
            }
            assertThat(listed).isEqualTo(configured);
            assertThat(remaining).containsExactly(4, 1, 0);

            // The page links to the next one, with the same size.
            String html = get(client, adapter, "/explain?limit=3").body();
            Matcher next = Pattern.compile("<p id=\"more\">4 more metrics: <a href=\"([^\"]+)\">").matcher(html);
            assertThat(next.find()).as(html).isTrue();
            String second = get(client, adapter, "/" + next.group(1).replace("&amp;", "&")).body();
            assertThat(second).contains("data-metric=\"shop/m2\"", "data-metric=\"shop/m3\"")
                    .doesNotContain("data-metric=\"shop/m7\"").contains("1 more metrics");

            for (String limit : List.of("0", "1001", "ten", "")) {
                HttpResponse<String> refused = get(client, adapter, "/explain.json?limit=" + limit);
                assertThat(refused.statusCode()).as("limit=" + limit).isEqualTo(400);
                assertThat(refused.body()).contains("limit must be a whole number from 1 to 1000");
            }
            HttpResponse<String> gone = get(client, adapter, "/explain.json?continue=external/shop/removed");
            assertThat(gone.statusCode()).isEqualTo(410);
            assertThat(new JsonObject(gone.body()).getString("reason")).isEqualTo("Expired");
            assertThat(gone.body()).contains("external/shop/removed is no longer configured");
        } finally {
            adapter.stop();
        }
    }

    private static List<String> ids(JsonObject page) {
        return page.getJsonArray("metrics").stream().map(m -> ((JsonObject) m).getString("metric")).toList();
    }

    /** An HPA on the external metric shop/explained with a target and a status, as applied. */
    private Path hpa(String name, String type, String field, String target, String matchLabels, int current)
            throws Exception {
        return Files.writeString(dir.resolve(name + ".yaml"), """
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: %s, namespace: shop}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: orders}
                  minReplicas: 1
                  maxReplicas: 20
                  metrics:
                    - type: External
                      external:
                        metric: {name: explained%s}
                        target: {type: %s, %s: "%s"}
                status: {currentReplicas: %d, desiredReplicas: %d}
                """.formatted(name, matchLabels == null ? "" : ", selector: {matchLabels: {" + matchLabels + "}}",
                type, field, target, current, current));
    }

    private static HttpResponse<String> get(HttpClient client, Adapter adapter, String path) throws Exception {
        return TestAdapters.get(client, adapter, path);
    }

    /** The text of a column ({@code total}, {@code health}) in the row of {@code metric}, as rendered. */
    private static String cell(String dom, String metric, String column) {
        Matcher row = Pattern.compile("<tr data-metric=\"" + Pattern.quote(metric) + "\">(.*?)</tr>", Pattern.DOTALL)
                .matcher(dom);
        assertThat(row.find()).as(metric + " in the page").isTrue();
        Matcher cell = Pattern.compile("<td class=\"[^\"]*\\b" + column + "\">([^<]*)</td>").matcher(row.group(1));
        assertThat(cell.find()).as(column + " of " + metric).isTrue();
        return cell.group(1);
    }
}
