package io.demandmetrics.scaler.cron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.demandmetrics.scaler.spi.InvalidConfigException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The schedule's value at given instants. Instants are written as local time with an explicit
 * offset, so each row says which side of a daylight-saving change it is on.
 */
class CronConfigTest {

    private static final CronScalerProvider PROVIDER = new CronScalerProvider();

    static Stream<Arguments> windows() {
        Map<String, Object> officeBerlin = Map.of("timezone", "Europe/Berlin",
                "start", "0 8 * * 1-5", "end", "0 17 * * 1-5", "desiredReplicas", 10);
        Map<String, Object> dailyBerlin = Map.of("timezone", "Europe/Berlin",
                "start", "0 6 * * *", "end", "0 20 * * *", "desiredReplicas", 4);
        Map<String, Object> gapBerlin = Map.of("timezone", "Europe/Berlin",
                "start", "30 2 * * *", "end", "30 4 * * *", "desiredReplicas", 3);
        Map<String, Object> repeatedBerlin = Map.of("timezone", "Europe/Berlin",
                "start", "30 2 * * *", "end", "45 2 * * *", "desiredReplicas", 5);
        Map<String, Object> gapNewYork = Map.of("timezone", "America/New_York",
                "start", "15 2 * * *", "end", "0 5 * * *", "desiredReplicas", 6);
        Map<String, Object> repeatedNewYork = Map.of("timezone", "America/New_York",
                "start", "0 1 * * *", "end", "30 1 * * *", "desiredReplicas", 7);
        Map<String, Object> overnightNewYork = Map.of("timezone", "America/New_York",
                "start", "0 22 * * *", "end", "0 6 * * *", "desiredReplicas", 2);
        return Stream.of(
                // KEDA semantics: [start, end), weekdays only
                Arguments.of("before opening", officeBerlin, "2026-11-25T07:59:59+01:00", 0),
                Arguments.of("at opening", officeBerlin, "2026-11-25T08:00:00+01:00", 10),
                Arguments.of("just before closing", officeBerlin, "2026-11-25T16:59:59+01:00", 10),
                Arguments.of("at closing", officeBerlin, "2026-11-25T17:00:00+01:00", 0),
                Arguments.of("saturday", officeBerlin, "2026-11-28T10:00:00+01:00", 0),
                // local time follows the zone's offset on both sides of a change
                Arguments.of("06:00 CET the day before spring forward", dailyBerlin, "2026-03-28T06:00:00+01:00", 4),
                Arguments.of("05:59 CEST on spring-forward day", dailyBerlin, "2026-03-29T05:59:00+02:00", 0),
                Arguments.of("06:00 CEST on spring-forward day", dailyBerlin, "2026-03-29T06:00:00+02:00", 4),
                Arguments.of("19:59 CET on fall-back day", dailyBerlin, "2026-10-25T19:59:00+01:00", 4),
                Arguments.of("20:00 CET on fall-back day", dailyBerlin, "2026-10-25T20:00:00+01:00", 0),
                // a start inside the spring-forward gap fires when the gap ends (cron(8)),
                // rather than being skipped, which would keep the window open for a whole day
                Arguments.of("the evening before the gap", gapBerlin, "2026-03-28T20:00:00+01:00", 0),
                Arguments.of("01:59 CET, just before the gap", gapBerlin, "2026-03-29T01:59:00+01:00", 0),
                Arguments.of("03:00 CEST, end of the gap", gapBerlin, "2026-03-29T03:00:00+02:00", 3),
                Arguments.of("04:29 CEST", gapBerlin, "2026-03-29T04:29:00+02:00", 3),
                Arguments.of("04:30 CEST", gapBerlin, "2026-03-29T04:30:00+02:00", 0),
                Arguments.of("next day normal", gapBerlin, "2026-03-30T02:30:00+02:00", 3),
                Arguments.of("gap in New York", gapNewYork, "2026-03-08T03:00:00-04:00", 6),
                Arguments.of("before the gap in New York", gapNewYork, "2026-03-08T01:59:00-05:00", 0),
                // a time that occurs twice fires once, the first time
                Arguments.of("first 02:30", repeatedBerlin, "2026-10-25T02:30:00+02:00", 5),
                Arguments.of("first 02:44", repeatedBerlin, "2026-10-25T02:44:00+02:00", 5),
                Arguments.of("first 02:45", repeatedBerlin, "2026-10-25T02:45:00+02:00", 0),
                Arguments.of("second 02:30", repeatedBerlin, "2026-10-25T02:30:00+01:00", 0),
                Arguments.of("second 02:40", repeatedBerlin, "2026-10-25T02:40:00+01:00", 0),
                Arguments.of("first 01:10 in New York", repeatedNewYork, "2026-11-01T01:10:00-04:00", 7),
                Arguments.of("second 01:10 in New York", repeatedNewYork, "2026-11-01T01:10:00-05:00", 0),
                Arguments.of("next day in New York", repeatedNewYork, "2026-11-02T01:10:00-05:00", 7),
                // a window across midnight, and across the fall-back change
                Arguments.of("overnight, 23:00", overnightNewYork, "2026-10-31T23:00:00-04:00", 2),
                Arguments.of("overnight, second 01:30", overnightNewYork, "2026-11-01T01:30:00-05:00", 2),
                Arguments.of("overnight, 05:59 EST", overnightNewYork, "2026-11-01T05:59:00-05:00", 2),
                Arguments.of("overnight, 06:00 EST", overnightNewYork, "2026-11-01T06:00:00-05:00", 0),
                Arguments.of("overnight, noon", overnightNewYork, "2026-11-01T12:00:00-05:00", 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"windows", "ramps"})
    void valueAt(String what, Map<String, Object> parameters, String at, long expected) throws Exception {
        assertThat(PROVIDER.parseConfig(parameters).valueAt(Instant.parse(toUtc(at)))).isEqualTo(expected);
    }

    static Stream<Arguments> ramps() {
        Map<String, Object> morning = Map.of("timezone", "Europe/Berlin",
                "start", "0 8 * * *", "end", "0 18 * * *", "desiredReplicas", 10, "rampUp", "10m");
        Map<String, Object> acrossSpringForward = Map.of("timezone", "Europe/Berlin",
                "start", "0 4 * * *", "end", "0 6 * * *", "desiredReplicas", 10, "rampUp", "90m");
        Map<String, Object> fiveSteps = Map.of("timezone", "UTC",
                "start", "0 8 * * *", "end", "0 9 * * *", "desiredReplicas", 3, "rampUp", "5m", "rampSteps", 5);
        return Stream.of(
                Arguments.of("before the ramp", morning, "2026-11-25T07:49:59+01:00", 0),
                Arguments.of("first step", morning, "2026-11-25T07:50:00+01:00", 1),
                Arguments.of("half way", morning, "2026-11-25T07:55:00+01:00", 6),
                Arguments.of("last step, a step before opening", morning, "2026-11-25T07:59:00+01:00", 10),
                Arguments.of("open", morning, "2026-11-25T08:00:00+01:00", 10),
                Arguments.of("after closing, no ramp", morning, "2026-11-25T18:00:00+01:00", 0),
                // 04:00 CEST is 02:00 UTC; 90 real minutes before is 01:30 CET, although the wall clock shows 2.5 h
                Arguments.of("ramp counts real time across the gap", acrossSpringForward, "2026-03-29T01:29:00+01:00", 0),
                Arguments.of("ramp starts 90 real minutes early", acrossSpringForward, "2026-03-29T01:30:00+01:00", 1),
                Arguments.of("ramp after the gap", acrossSpringForward, "2026-03-29T03:55:00+02:00", 10),
                Arguments.of("rounded up, step 1 of 5", fiveSteps, "2026-11-25T07:55:00Z", 1),
                Arguments.of("rounded up, step 3 of 5", fiveSteps, "2026-11-25T07:57:00Z", 2),
                Arguments.of("rounded up, step 5 of 5", fiveSteps, "2026-11-25T07:59:30Z", 3));
    }

    /** Office hours on weekdays (10), lunch every day (20), a daily floor (2): expected by hand. */
    static Stream<Arguments> severalWindows() {
        return Stream.of(
                Arguments.of("Wednesday before every window", "2026-11-25T05:59:59+01:00", 0),
                Arguments.of("the daily floor opens", "2026-11-25T06:00:00+01:00", 2),
                Arguments.of("office over the floor", "2026-11-25T08:00:00+01:00", 10),
                Arguments.of("lunch over the office", "2026-11-25T12:00:00+01:00", 20),
                Arguments.of("lunch's last second", "2026-11-25T13:59:59+01:00", 20),
                Arguments.of("office again after lunch", "2026-11-25T14:00:00+01:00", 10),
                Arguments.of("the floor after the office", "2026-11-25T17:00:00+01:00", 2),
                Arguments.of("after every window", "2026-11-25T20:00:00+01:00", 0),
                Arguments.of("Saturday: the floor only", "2026-11-28T10:00:00+01:00", 2),
                Arguments.of("Saturday lunch", "2026-11-28T12:30:00+01:00", 20));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("severalWindows")
    void severalWindowsServeTheLargestActive(String what, String at, long expected) throws Exception {
        CronConfig config = PROVIDER.parseConfig(Map.of("timezone", "Europe/Berlin", "windows", List.of(
                Map.of("start", "0 8 * * 1-5", "end", "0 17 * * 1-5", "desiredReplicas", 10),
                Map.of("start", "0 12 * * *", "end", "0 14 * * *", "desiredReplicas", 20),
                Map.of("start", "0 6 * * *", "end", "0 20 * * *", "desiredReplicas", 2))));
        assertThat(config.valueAt(Instant.parse(toUtc(at)))).isEqualTo(expected);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(Map.of("timezone", "Mars/Olympus", "start", "0 8 * * *", "end", "0 9 * * *",
                                "desiredReplicas", 1),
                        List.of("parameter \"timezone\" value \"Mars/Olympus\" is not an IANA time zone (e.g. Europe/Berlin)")),
                Arguments.of(Map.of("timezone", "UTC", "start", "0 8 * * *", "end", "0 8 * * *", "desiredReplicas", 1),
                        List.of("parameter \"end\" value \"0 8 * * *\" must differ from start")),
                Arguments.of(Map.of("timezone", "UTC", "start", "0 8 * * *", "end", "0 9 * * *",
                                "desiredReplicas", "ten", "rampUp", "soon"),
                        List.of("parameter \"rampUp\" value \"soon\" is not a duration (e.g. 30s, 10m, 1h30m)",
                                "parameter \"desiredReplicas\" value \"ten\" is not an integer")),
                Arguments.of(Map.of("timezone", "UTC", "start", "0 8 * * *", "end", "0 9 * * *", "desiredReplicas", 0),
                        List.of("parameter \"desiredReplicas\" value \"0\" must be >= 1")),
                Arguments.of(Map.of("timezone", "UTC", "windows", List.of(Map.of("start", "0 8 * * *", "stop", "x"))),
                        List.of("unknown parameter \"windows[0].stop\"; known: [desiredReplicas, end, rampSteps, rampUp, start]",
                                "missing required parameter \"windows[0].end\"",
                                "missing required parameter \"windows[0].desiredReplicas\"")),
                Arguments.of(Map.of("timezone", "UTC", "windows", "0 8 * * *"),
                        List.of("parameter \"windows\" must be a list of maps",
                                "missing required parameter \"start\"",
                                "missing required parameter \"end\"",
                                "missing required parameter \"desiredReplicas\"")));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidParametersAreReportedTogether(Map<String, Object> parameters, List<String> problems) {
        InvalidConfigException error = catchThrowableOfType(InvalidConfigException.class,
                () -> PROVIDER.parseConfig(parameters));
        assertThat(error).isNotNull();
        assertThat(error.problems()).containsExactlyElementsOf(problems);
    }

    @ParameterizedTest
    @MethodSource("badExpressions")
    void badCronExpressionNamesTheParameter(String expression) {
        InvalidConfigException error = catchThrowableOfType(InvalidConfigException.class,
                () -> PROVIDER.parseConfig(Map.of("timezone", "UTC", "start", expression, "end", "0 9 * * *",
                        "desiredReplicas", 1)));
        assertThat(error.problems()).singleElement().asString()
                .startsWith("parameter \"start\" value \"" + expression + "\" is not a 5-field cron expression");
    }

    static Stream<String> badExpressions() {
        return Stream.of("61 * * * *", "0 8 * *", "every morning", "0 8 * * * *");
    }

    @ParameterizedTest
    @MethodSource("descriptors")
    void kedaDescriptorsAreAccepted(String descriptor, String at, long expected) throws Exception {
        CronConfig config = PROVIDER.parseConfig(Map.of("timezone", "UTC", "start", descriptor,
                "end", descriptor.equals("@monthly") ? "30 0 1 * *" : "30 0 * * *", "desiredReplicas", 2));
        assertThat(config.valueAt(Instant.parse(at))).isEqualTo(expected);
    }

    static Stream<Arguments> descriptors() {
        return Stream.of(Arguments.of("@daily", "2026-11-25T00:10:00Z", 2),
                Arguments.of("@daily", "2026-11-25T00:40:00Z", 0),
                Arguments.of("@monthly", "2026-11-25T00:10:00Z", 0),
                Arguments.of("@monthly", "2026-12-01T00:10:00Z", 2));
    }

    private static String toUtc(String offsetDateTime) {
        return ZonedDateTime.parse(offsetDateTime).toInstant().toString();
    }
}
