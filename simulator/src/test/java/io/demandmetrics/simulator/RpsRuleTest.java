package io.demandmetrics.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.demandmetrics.scaler.requests.TwoWindows;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The simulator carries its own copy of the adapter's rps rule (without the scalers'
 * dependencies); its figures mean something only while the copy serves what the adapter
 * serves. Checked on random pods: rates in both windows, steady, rising, falling, hot shards,
 * idle pods, and what departed pods still hold.
 */
class RpsRuleTest {

    @Test
    void theSimulatorsServiceRuleServesWhatTheAdaptersServes() {
        Random random = new Random(27);
        for (int trial = 0; trial < 5_000; trial++) {
            int pods = 1 + random.nextInt(12);
            Map<String, Double> shortRates = new LinkedHashMap<>();
            Map<String, Double> longRates = new LinkedHashMap<>();
            Map<String, RpsRule.PodRates> rates = new HashMap<>();
            for (int i = 0; i < pods; i++) {
                String pod = "web-" + i;
                double shortRate = rate(random);
                double longRate = rate(random);
                shortRates.put(pod, shortRate);
                longRates.put(pod, longRate);
                rates.put(pod, window -> window == Simulation.SHORT_WINDOW ? shortRate : longRate);
            }
            double[] held = random.nextInt(3) == 0 ? new double[] {rate(random), rate(random)} : new double[] {0, 0};
            Map<String, Double> adapter = TwoWindows.served(shortRates, longRates, TwoWindows.Over.SERVICE, held);
            Map<String, Double> simulator = RpsRule.SERVICE.served(rates, 0, 0, held);
            assertThat(simulator.keySet()).as("trial %d", trial).isEqualTo(adapter.keySet());
            int current = trial;
            adapter.forEach((pod, value) -> assertThat(simulator.get(pod)).as("trial %d, %s: short %s, long %s, held %s",
                    current, pod, shortRates, longRates, java.util.Arrays.toString(held)).isCloseTo(value, within(1e-6)));
        }
    }

    /** A pod's rate: often 0 (idle), often the same as others (a share), else anything up to 2,000. */
    private static double rate(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> 375;
            default -> random.nextDouble() * 2_000;
        };
    }
}
