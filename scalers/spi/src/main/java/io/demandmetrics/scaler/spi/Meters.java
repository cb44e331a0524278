package io.demandmetrics.scaler.spi;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;

/** Meter registries the SPI hands out where the adapter's is not there. */
final class Meters {

    private Meters() {
    }

    /**
     * A registry that denies every meter: Micrometer then returns a no-op meter and does not
     * keep it (a plain empty composite would keep every meter registered in its map).
     */
    static MeterRegistry discarding() {
        CompositeMeterRegistry registry = new CompositeMeterRegistry();
        registry.config().meterFilter(MeterFilter.deny());
        return registry;
    }
}
