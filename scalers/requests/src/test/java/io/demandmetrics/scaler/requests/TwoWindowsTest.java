package io.demandmetrics.scaler.requests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The two windows over the service's total (the default) against over each pod, on the rates
 * the windows give in the cases they are for: a scale-up, a rise, a dip, a hot shard.
 */
class TwoWindowsTest {

    private static Map<String, Double> rates(Object... podAndRate) {
        Map<String, Double> rates = new LinkedHashMap<>();
        for (int i = 0; i < podAndRate.length; i += 2) {
            rates.put((String) podAndRate[i], ((Number) podAndRate[i + 1]).doubleValue());
        }
        return rates;
    }

    private static Map<String, Double> service(Map<String, Double> shortRates, Map<String, Double> longRates) {
        return TwoWindows.served(shortRates, longRates, TwoWindows.Over.SERVICE);
    }

    @Test
    void aScaleUpOnFlatDemandIsServedAsTheServicesShareNotTheOldPodsPast() {
        // 1,500 req/s over three pods, then over four: the old pods' long windows still hold their
        // 500, the new pod's long window (10 s of 30) a third of its 375; together the 30 s total.
        Map<String, Double> shortRates = rates("a", 375, "b", 375, "c", 375, "d", 375);
        Map<String, Double> longRates = rates("a", 460, "b", 460, "c", 460, "d", 120);
        Map<String, Double> served = service(shortRates, longRates);
        served.values().forEach(value -> assertThat(value).isCloseTo(375, within(1e-9)));
        // Each pod's own windows: the old pods at 460, a total of 1,500 served as 1,755.
        Map<String, Double> own = TwoWindows.served(shortRates, longRates, TwoWindows.Over.POD);
        assertThat(own).containsEntry("a", 460.0).containsEntry("d", 375.0);
        assertThat(own.values().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(1755);
    }

    @Test
    void whileTheScaleUpReachesThePodsOneByOneNoPodIsServedAboveItsOwnRates() {
        // A second after the fourth pod became ready: only pod a was scraped since, its short
        // window half old, half new; the new pod has no rate yet. By short-window shares alone
        // b and c would carry the 1,496 of the long windows: 1,496 x 500 / 1,437.5 = 520 each.
        Map<String, Double> shortRates = rates("a", 437.5, "b", 500, "c", 500, "d", Double.NaN);
        Map<String, Double> longRates = rates("a", 496, "b", 500, "c", 500, "d", Double.NaN);
        Map<String, Double> served = service(shortRates, longRates);
        assertThat(served).containsOnlyKeys("a", "b", "c");
        assertThat(served.get("b")).isCloseTo(500, within(1e-9));
        assertThat(served.get("c")).isCloseTo(500, within(1e-9));
        // The rest of the service's total goes to a, up to its own long rate: the total is kept.
        assertThat(served.get("a")).isCloseTo(496, within(1e-9));
        assertThat(served.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1496, within(1e-9));
    }

    @Test
    void aPodGoingDoesNotMoveTheTotalItsTrafficIsSharedByTheOthers() {
        // Four pods at 750; d goes, its traffic moves to the three others, whose windows do not
        // show it yet. What d got is still in both windows: the total stays 3,000.
        DepartedPods departed = new DepartedPods(3_000, 30_000);
        Map<String, Double> before = rates("a", 750, "b", 750, "c", 750, "d", 750);
        departed.held(before, before, Map.of(), 0);
        // A second later each of the others shows a third of its new 1,000 in the short window and
        // a thirtieth in the long one.
        Map<String, Double> shortAfter = rates("a", 2500 / 3.0, "b", 2500 / 3.0, "c", 2500 / 3.0);
        Map<String, Double> longAfter = rates("a", 2275 / 3.0, "b", 2275 / 3.0, "c", 2275 / 3.0);
        double[] held = departed.held(shortAfter, longAfter, Map.of(), 1_000);
        Map<String, Double> served = TwoWindows.served(shortAfter, longAfter, TwoWindows.Over.SERVICE, held);
        assertThat(served.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(3000, within(1e-9));
        served.values().forEach(value -> assertThat(value).isCloseTo(1000, within(1e-9)));
        // Without what d holds: 2,500, read as falling demand.
        assertThat(TwoWindows.served(shortAfter, longAfter, TwoWindows.Over.SERVICE).values().stream()
                .mapToDouble(Double::doubleValue).sum()).isCloseTo(2500, within(1e-9));
        // Once the others' windows show it, d holds no more of the short window, and its long-window
        // part fades out as the others' long rates take it up: the total still 3,000.
        Map<String, Double> shortLater = rates("a", 1000, "b", 1000, "c", 1000);
        Map<String, Double> longLater = rates("a", 833.3, "b", 833.3, "c", 833.3);
        double[] later = departed.held(shortLater, longLater, Map.of(), 10_000);
        assertThat(later[0]).isZero();
        assertThat(TwoWindows.served(shortLater, longLater, TwoWindows.Over.SERVICE, later).values().stream()
                .mapToDouble(Double::doubleValue).sum()).isCloseTo(3000, within(1.0));
        // d's part fades from its last good scrape, not from when its failed one showed it gone.
        DepartedPods seenLate = new DepartedPods(3_000, 30_000);
        seenLate.held(before, before, Map.of("d", 0L), 500);
        double[] seenLateHeld = seenLate.held(shortAfter, longAfter, Map.of(), 1_000);
        assertThat(seenLateHeld[0]).isCloseTo(500, within(1e-9));
        assertThat(seenLateHeld[1]).isCloseTo(725, within(1e-9));
        // After the long window d is forgotten; a pod that comes back is present, not departed.
        assertThat(departed.held(shortLater, shortLater, Map.of(), 31_000)).containsExactly(0.0, 0.0);
        assertThat(departed.held(before, before, Map.of(), 32_000)).containsExactly(0.0, 0.0);
    }

    @Test
    void aRiseShowsAtOnceAndADipIsHeldAsTheWindowsAreFor() {
        assertThat(service(rates("a", 1000, "b", 1000), rates("a", 600, "b", 600)))
                .containsEntry("a", 1000.0).containsEntry("b", 1000.0);
        assertThat(service(rates("a", 100, "b", 100), rates("a", 500, "b", 500)))
                .containsEntry("a", 500.0).containsEntry("b", 500.0);
        // Traffic gone for the short window: the long one's total, by the long rates.
        assertThat(service(rates("a", 0, "b", 0), rates("a", 300, "b", 100)))
                .containsEntry("a", 300.0).containsEntry("b", 100.0);
    }

    @Test
    void aHotShardKeepsItsLargerShareAndTheTotalIsTheServices() {
        Map<String, Double> served = service(rates("hot", 300, "cold", 100), rates("hot", 300, "cold", 100));
        assertThat(served).containsEntry("hot", 300.0).containsEntry("cold", 100.0);
        // A pod with a long-window rate only (its last scrapes did not cover the short window) keeps a share.
        Map<String, Double> partial = service(rates("a", 200), rates("a", 200, "b", 100));
        assertThat(partial.get("a") + partial.get("b")).isCloseTo(300, within(1e-9));
        assertThat(partial.get("b")).isPositive();
        // A pod with a rate in neither window is not served.
        assertThat(service(rates("a", 10, "b", Double.NaN), rates("a", 10, "b", Double.NaN))).containsOnlyKeys("a");
    }
}
