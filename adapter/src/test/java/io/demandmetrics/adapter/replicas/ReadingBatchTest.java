package io.demandmetrics.adapter.replicas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandmetrics.adapter.api.KubernetesResource;
import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.store.Failure;
import io.demandmetrics.adapter.store.Reading;
import io.demandmetrics.scaler.spi.DescribedObject;
import io.demandmetrics.scaler.spi.Sample;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The readings replicas send each other: what goes in comes out, and a malformed batch is refused whole. */
class ReadingBatchTest {

    private static final Instant T0 = Instant.parse("2026-12-03T12:00:00.123456Z");

    @Test
    void everyPartOfAReadingSurvivesTheTrip() {
        MetricKey pods = new MetricKey(KubernetesResource.byName("pods").orElseThrow(), "shop", "rps");
        Reading reading = new Reading(List.of(
                new Sample(new DescribedObject("web-1", Map.of("app", "web")), Map.of("code", "200"), 41.5,
                        T0.minusSeconds(1), Duration.ofSeconds(30)),
                new Sample(DescribedObject.named("web-2"), Map.of(), 0, T0, null)), T0);
        List<ReplicatedReading> sent = List.of(
                new ReplicatedReading(pods, "abc123", reading, new Failure("scrape of web-3 timed out", T0.plusSeconds(2))),
                new ReplicatedReading(MetricKey.external("shop", "lag"), "def456", null, new Failure("no broker", T0)),
                new ReplicatedReading(new MetricKey(KubernetesResource.byName("nodes").orElseThrow(), null, "pressure"),
                        "0", new Reading(List.of(Sample.forObject(DescribedObject.named("n1"), 3).at(T0)), T0), null));
        ReadingBatch.Decoded received = ReadingBatch.decode(ReadingBatch.encode("adapter-7c9-x1", sent));
        assertThat(received.from()).isEqualTo("adapter-7c9-x1");
        assertThat(received.readings()).isEqualTo(sent);
    }

    @Test
    void aLongFailureMessageIsShortenedNotRefused() {
        ReplicatedReading failing = new ReplicatedReading(MetricKey.external("shop", "lag"), "x", null,
                new Failure("e".repeat(10_000), T0));
        String message = ReadingBatch.decode(ReadingBatch.encode("a", List.of(failing))).readings().get(0).failure().message();
        assertThat(message).hasSize(ReadingBatch.MAX_TEXT).endsWith("...");
    }

    @Test
    void aMalformedBatchIsRefusedSayingWhatIsWrong() {
        String valid = "{\"describes\":\"external\",\"namespace\":\"shop\",\"name\":\"lag\",\"settings\":\"x\"";
        Map<String, String> cases = Map.of(
                "[1,2]", "a batch of readings is a JSON object",
                "{\"readings\":[]}", "the batch.from must be a string",
                "{\"from\":\"a\",\"readings\":[7]}", "readings[0] must be an object",
                "{\"from\":\"a\",\"readings\":[{\"describes\":\"widgets\",\"name\":\"m\",\"settings\":\"x\"}]}",
                "readings[0]: unknown resource \"widgets\"",
                "{\"from\":\"a\",\"readings\":[" + valid + ",\"fetchedAt\":\"2026-12-03T12:00:00Z\",\"samples\":[{\"value\":\"NaN\"}]}]}",
                "readings[0].samples[0].value must be a finite number",
                "{\"from\":\"a\",\"readings\":[" + valid + ",\"fetchedAt\":\"yesterday\",\"samples\":[]}]}",
                "readings[0].fetchedAt must be an RFC 3339 time",
                "{\"from\":\"a\",\"readings\":[" + valid + ",\"fetchedAt\":\"2026-12-03T12:00:00Z\"}]}",
                "readings[0].samples must be an array");
        cases.forEach((body, message) -> assertThatThrownBy(() -> ReadingBatch.decode(Buffer.buffer(body)))
                .as(body).isInstanceOf(IllegalArgumentException.class).hasMessage(message));
        StringBuilder labels = new StringBuilder("{");
        for (int i = 0; i <= ReadingBatch.MAX_LABELS; i++) {
            labels.append(i == 0 ? "" : ",").append("\"l").append(i).append("\":\"v\"");
        }
        assertThatThrownBy(() -> ReadingBatch.decode(Buffer.buffer("{\"from\":\"a\",\"readings\":[" + valid
                + ",\"fetchedAt\":\"2026-12-03T12:00:00Z\",\"samples\":[{\"value\":1,\"labels\":" + labels + "}}]}]}")))
                .hasMessage("readings[0].samples[0].labels has more than 64 labels");
        assertThatThrownBy(() -> ReadingBatch.decode(Buffer.buffer(new byte[ReadingBatch.MAX_BYTES + 1])))
                .hasMessageContaining("at most");
    }
}
