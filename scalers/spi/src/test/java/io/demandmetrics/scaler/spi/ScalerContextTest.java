package io.demandmetrics.scaler.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import org.junit.jupiter.api.Test;

class ScalerContextTest {

    @Test
    void noMetersKeepsNothing() {
        for (int i = 0; i < 100; i++) {
            Counter counter = Counter.builder("demand_adapter_test_requests").tag("i", String.valueOf(i))
                    .register(ScalerContext.NO_METERS);
            counter.increment();
            assertThat(counter.count()).isZero();
        }
        assertThat(ScalerContext.NO_METERS.getMeters()).isEmpty();
    }
}
