package io.demandmetrics.scaler.cron;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.support.ParameterReader;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code cron} scaler: KEDA's cron trigger ({@code timezone}, {@code start}, {@code end},
 * {@code desiredReplicas}), plus several {@code windows} per metric and a {@code rampUp}
 * that raises the value in steps before a window opens.
 */
public final class CronScalerProvider implements ScalerProvider<CronConfig> {

    static final String TYPE = "cron";

    private static final List<String> TOP_LEVEL = List.of(
            "timezone", "start", "end", "desiredReplicas", "rampUp", "rampSteps", "windows");
    private static final String[] WINDOW_KEYS = {"start", "end", "desiredReplicas", "rampUp", "rampSteps"};

    /** The descriptors KEDA's cron library (robfig/cron ParseStandard) accepts. */
    private static final Map<String, String> DESCRIPTORS = Map.of(
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");

    private static final CronParser PARSER =
            new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private static final long DEFAULT_RAMP_STEPS = 10;

    /**
     * Parsed schedules by zone and expression. Schedules are immutable, and fleets of metrics
     * share a handful of expressions ("0 8 * * 1-5"): at ten thousand metrics, sharing them
     * saves tens of megabytes of cron-utils objects. Bounded: cleared if it ever grows past
     * {@value #MAX_SHARED_SCHEDULES} distinct schedules.
     */
    private final Map<String, CronSchedule> sharedSchedules = new ConcurrentHashMap<>();
    private static final int MAX_SHARED_SCHEDULES = 10_000;

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public CronConfig parseConfig(Map<String, Object> parameters) throws InvalidConfigException {
        ParameterReader p = new ParameterReader(parameters, TOP_LEVEL.toArray(String[]::new));
        ZoneId zone = zone(p);
        Duration rampUp = p.duration("rampUp", Duration.ZERO, Duration.ZERO);
        long rampSteps = p.integer("rampSteps", DEFAULT_RAMP_STEPS, 1);
        List<CronWindow> windows = new ArrayList<>();
        List<Map<String, Object>> blocks = p.blocks("windows");
        if (blocks.isEmpty() || p.has("start") || p.has("end") || p.has("desiredReplicas")) {
            windows.add(window(p, zone, rampUp, rampSteps));
        }
        for (int i = 0; i < blocks.size(); i++) {
            ParameterReader w = p.nested("windows[" + i + "]", blocks.get(i), WINDOW_KEYS);
            windows.add(window(w, zone, w.duration("rampUp", rampUp, Duration.ZERO), w.integer("rampSteps", rampSteps, 1)));
        }
        p.throwIfInvalid();
        return new CronConfig(zone, windows);
    }

    @Override
    public Scaler createScaler(CronConfig config, ScalerContext context) {
        return new CronScaler(config, context.clock());
    }

    private static ZoneId zone(ParameterReader p) {
        String name = p.string("timezone");
        if (name == null) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(name);
        } catch (DateTimeException e) {
            p.invalid("timezone", name, "is not an IANA time zone (e.g. Europe/Berlin)");
            return ZoneId.of("UTC");
        }
    }

    private CronWindow window(ParameterReader p, ZoneId zone, Duration rampUp, long rampSteps) {
        String start = p.string("start");
        String end = p.string("end");
        long desired = p.integer("desiredReplicas", 1);
        CronSchedule startTimes = schedule(p, "start", start, zone);
        CronSchedule endTimes = schedule(p, "end", end, zone);
        if (start != null && end != null && start.trim().equals(end.trim())) {
            p.invalid("end", end, "must differ from start");
        }
        return new CronWindow(start, end, startTimes, endTimes, desired, rampUp, rampSteps);
    }

    private CronSchedule schedule(ParameterReader p, String name, String expression, ZoneId zone) {
        if (expression == null) {
            return null;
        }
        String trimmed = expression.trim();
        CronSchedule shared = sharedSchedules.get(zone.getId() + " " + trimmed);
        if (shared != null) {
            return shared;
        }
        try {
            var cron = PARSER.parse(DESCRIPTORS.getOrDefault(trimmed, trimmed));
            cron.validate();
            CronSchedule schedule = new CronSchedule(ExecutionTime.forCron(cron), zone);
            if (sharedSchedules.size() >= MAX_SHARED_SCHEDULES) {
                sharedSchedules.clear();
            }
            sharedSchedules.put(zone.getId() + " " + trimmed, schedule);
            return schedule;
        } catch (IllegalArgumentException e) {
            p.invalid(name, expression, "is not a 5-field cron expression (minute hour day-of-month month"
                    + " day-of-week): " + e.getMessage());
            return null;
        }
    }
}
