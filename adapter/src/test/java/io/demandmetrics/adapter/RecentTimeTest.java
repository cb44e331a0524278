package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The request path's clock keeps up with the system clock, in both of its forms. */
class RecentTimeTest {

    @Test
    void theRecentTimeReachesEveryPresentMoment() {
        for (int i = 0; i < 3; i++) {
            Instant present = Instant.now();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                    .until(() -> !RecentTime.clock().instant().isBefore(present)
                            && RecentTime.micrometerClock().wallTime() >= present.toEpochMilli());
        }
        assertThat(RecentTime.clock().getZone()).isEqualTo(ZoneOffset.UTC);
    }

    @Test
    void monotonicTimeStaysExact() { // durations are measured with it
        long before = System.nanoTime();
        long read = RecentTime.micrometerClock().monotonicTime();
        assertThat(read).isBetween(before, System.nanoTime());
    }
}
