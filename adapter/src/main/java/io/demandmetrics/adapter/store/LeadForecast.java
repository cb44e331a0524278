package io.demandmetrics.adapter.store;

import io.demandmetrics.hpa.forecast.Lead;
import io.demandmetrics.scaler.spi.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A metric's {@code lead}: each poll's total (of what it serves, {@link Combine#total}) is fed
 * to a forecast (a damped trend, and the metric's usual day once two days are seen), and every
 * value of the reading is served multiplied by the forecast's ratio to the total (the same arithmetic the simulator's
 * {@code simulate} applies, {@link Lead}). Never below what was observed, at
 * most double it; the observed and served totals are kept for {@code /metrics}.
 *
 * <p>Fed by the metric's poller only; the totals are read by any thread.
 */
final class LeadForecast {

    private final Lead lead;
    private final Lead.Forecaster forecaster;
    private volatile double observedTotal = Double.NaN;
    private volatile double servedTotal = Double.NaN;

    LeadForecast(Duration lead, Duration pollInterval) {
        this.lead = new Lead(lead, pollInterval, Lead.DEFAULT_MAX_GROWTH);
        this.forecaster = this.lead.forecaster();
    }

    /** The reading to serve for this observed one, whose served total is {@code total}. */
    Reading apply(Reading observed, double total) {
        double factor = lead.factor(forecaster, total, observed.fetchedAt().getEpochSecond());
        observedTotal = total;
        servedTotal = total * factor;
        if (factor == 1) {
            return observed;
        }
        List<Sample> served = new ArrayList<>(observed.samples().size());
        for (Sample sample : observed.samples()) {
            served.add(new Sample(sample.object(), sample.labels(), sample.value() * factor, sample.timestamp(),
                    sample.window()));
        }
        return new Reading(served, observed.fetchedAt());
    }

    /** The last poll's total as observed; NaN before the first. */
    double observedTotal() {
        return observedTotal;
    }

    /** The last poll's total as served; NaN before the first. */
    double servedTotal() {
        return servedTotal;
    }
}
