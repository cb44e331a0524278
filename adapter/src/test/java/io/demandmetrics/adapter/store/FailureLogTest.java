package io.demandmetrics.adapter.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.store.FailureLog.Logged;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Each failure logged once; a scaler warming up is waiting, not failing, until maxAge has passed. */
class FailureLogTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final FailureLog log = new FailureLog("metric \"shop/rps\" (type \"rps\")", FailureLog.PER_METRIC,
            Duration.ofSeconds(3), now::get);

    @Test
    void aWarmingUpScalerIsWaitingAtFirstAndAFailureOnceItLastsLongerThanMaxAge() {
        assertThat(log.failed("waiting for a second scrape", true)).isEqualTo(Logged.WAITING);
        assertThat(log.failed("waiting for a second scrape", true)).isEqualTo(Logged.NOTHING);
        now.addAndGet(Duration.ofSeconds(3).toNanos());
        assertThat(log.failed("waiting for a second scrape", true)).isEqualTo(Logged.FAILED);
        assertThat(log.failed("waiting for a second scrape", true)).isEqualTo(Logged.NOTHING);
        assertThat(log.succeeded()).isEqualTo(Logged.RECOVERED);
    }

    @Test
    void theFirstValueAfterWaitingIsNoRecovery() {
        assertThat(log.failed("waiting for a second scrape", true)).isEqualTo(Logged.WAITING);
        assertThat(log.succeeded()).isEqualTo(Logged.NOTHING);
    }

    @Test
    void otherFailuresAreWarnedOnceEachAtOnce() {
        assertThat(log.failed("connection refused", false)).isEqualTo(Logged.FAILED);
        assertThat(log.failed("connection refused", false)).isEqualTo(Logged.NOTHING);
        assertThat(log.failed("timed out", false)).isEqualTo(Logged.FAILED);
        assertThat(log.succeeded()).isEqualTo(Logged.RECOVERED);
        assertThat(log.succeeded()).isEqualTo(Logged.NOTHING);
    }
}
