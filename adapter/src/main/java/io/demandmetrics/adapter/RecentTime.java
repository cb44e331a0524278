package io.demandmetrics.adapter;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The system clock as read at most {@value #PERIOD_MILLIS} ms ago, for the time checks made
 * per request where that does not matter: whether a metric's value is older than its
 * {@code maxAge} (seconds), and whether the request timers' windows are due to rotate (every
 * 40 s). Reading the system clock is a {@code clock_gettime}, about 30 ns where the clock
 * source is {@code kvm-clock} (many cloud VMs, and this project's benchmark machine); these
 * checks read it three times per metric request (bench/RESULTS.md, "#23 ... the clock"). One
 * daemon thread reads it {@value #PERIOD_MILLIS} ms apart for every adapter in the JVM: 3-5 ms
 * of CPU a second on the benchmark's busy core, less than what it saves there.
 */
final class RecentTime {

    static final long PERIOD_MILLIS = 10;

    private static volatile Instant now = Instant.now();

    static {
        Thread reader = new Thread(RecentTime::readEvery, "recent-time");
        reader.setDaemon(true);
        reader.start();
    }

    private static final Clock CLOCK = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return zone.equals(ZoneOffset.UTC) ? this : Clock.system(zone); // elsewhere than UTC: exact (nothing asks)
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public String toString() {
            return "RecentTime(" + PERIOD_MILLIS + " ms)";
        }
    };

    /** Micrometer's clock: the recent wall time; monotonic time (durations) stays exact. */
    private static final io.micrometer.core.instrument.Clock MICROMETER = new io.micrometer.core.instrument.Clock() {
        @Override
        public long wallTime() {
            return now.toEpochMilli();
        }

        @Override
        public long monotonicTime() {
            return System.nanoTime();
        }
    };

    private RecentTime() {
    }

    /** The recent time as a {@link Clock} in UTC. */
    static Clock clock() {
        return CLOCK;
    }

    /** The recent time as the meter registry's clock. */
    static io.micrometer.core.instrument.Clock micrometerClock() {
        return MICROMETER;
    }

    private static void readEvery() {
        while (true) {
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return; // nobody interrupts it; if something does, the JVM is going away
            }
            now = Instant.now();
        }
    }
}
