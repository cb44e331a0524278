package io.demandmetrics.scaler.cron;

import static org.assertj.core.api.Assertions.assertThat;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A schedule remembers its last answer (polls ask it every few seconds); every answer must be
 * what a schedule asked afresh gives, as time moves on in small and large steps, lands on
 * firings, goes back (a test clock, a corrected host clock) and crosses daylight-saving changes.
 */
class CronScheduleTest {

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    @ParameterizedTest
    @CsvSource({"0 8 * * 1-5, Europe/Berlin", "30 2 * * *, Europe/Berlin", "*/15 * * * *, America/New_York",
        "0 0 1 1 *, UTC", "30 1 * * 0, America/New_York"})
    void rememberedAnswersAreTheFreshOnes(String expression, String zone) {
        ExecutionTime times = ExecutionTime.forCron(PARSER.parse(expression));
        ZoneId zoneId = ZoneId.of(zone);
        CronSchedule remembering = new CronSchedule(times, zoneId);
        Random random = new Random(expression.hashCode());
        Instant now = Instant.parse("2026-02-20T00:00:00Z"); // both March DST changes lie ahead
        for (int i = 0; i < 20_000; i++) {
            Instant fresh = new CronSchedule(times, zoneId).nextAfter(now);
            assertThat(remembering.nextAfter(now)).as("%s in %s at %s", expression, zone, now).isEqualTo(fresh);
            int step = random.nextInt(10);
            if (step == 0 && fresh != null) {
                now = fresh; // exactly on a firing: the next one is after it
            } else if (step == 1) {
                now = now.minus(Duration.ofMinutes(random.nextInt(600))); // back
            } else {
                now = now.plus(Duration.ofSeconds(random.nextInt(step < 8 ? 120 : 40_000)));
            }
        }
    }
}
