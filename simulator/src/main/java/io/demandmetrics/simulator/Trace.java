package io.demandmetrics.simulator;

import java.util.ArrayList;
import java.util.List;

/**
 * Demand over time, from a CSV of {@code seconds,value} rows (a header line, with no number in
 * it, is allowed; blank lines and lines starting with '#' are skipped): requests (or messages)
 * per second arriving.
 * Between rows the demand changes linearly; a step is two rows a second apart. Before the
 * first row it is the first value, after the last the last.
 *
 * @param seconds the rows' times, ascending, from 0
 * @param values the demand at each
 */
public record Trace(double[] seconds, double[] values) {

    /** The longest trace read: a week at one row a second. */
    static final int MAX_ROWS = 7 * 24 * 3600;

    /**
     * @throws IllegalArgumentException naming the line and what is wrong with it
     */
    public static Trace parse(String csv) {
        List<double[]> rows = new ArrayList<>();
        String[] lines = csv.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s*[,;\\t]\\s*");
            double time;
            double value;
            try {
                if (fields.length != 2) {
                    throw new NumberFormatException();
                }
                time = Double.parseDouble(fields[0]);
                value = Double.parseDouble(fields[1]);
            } catch (NumberFormatException e) {
                if (rows.isEmpty() && i == firstContentLine(lines) && !hasNumber(fields)) {
                    continue; // a header such as "seconds,rps"; "0,abc" is a row gone wrong
                }
                throw new IllegalArgumentException("trace line " + (i + 1) + " is not \"seconds,value\": "
                        + shown(line));
            }
            if (!Double.isFinite(time) || !Double.isFinite(value) || time < 0 || value < 0) {
                throw new IllegalArgumentException("trace line " + (i + 1) + ": time and value must be finite and"
                        + " not negative: " + shown(line));
            }
            if (!rows.isEmpty() && time <= rows.get(rows.size() - 1)[0]) {
                throw new IllegalArgumentException("trace line " + (i + 1) + ": times must increase (" + time
                        + " after " + rows.get(rows.size() - 1)[0] + ")");
            }
            if (rows.size() == MAX_ROWS) {
                throw new IllegalArgumentException("the trace has more than " + MAX_ROWS + " rows");
            }
            rows.add(new double[] {time, value});
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("the trace has no \"seconds,value\" row");
        }
        double[] seconds = new double[rows.size()];
        double[] values = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            seconds[i] = rows.get(i)[0];
            values[i] = rows.get(i)[1];
        }
        return new Trace(seconds, values);
    }

    private static int firstContentLine(String[] lines) {
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                return i;
            }
        }
        return -1;
    }

    private static boolean hasNumber(String[] fields) {
        for (String field : fields) {
            try {
                Double.parseDouble(field);
                return true;
            } catch (NumberFormatException e) {
                // not a number: a header's field
            }
        }
        return false;
    }

    private static String shown(String line) {
        return "\"" + (line.length() > 80 ? line.substring(0, 80) + "..." : line) + "\"";
    }

    /** The demand at {@code t} seconds. */
    public double at(double t) {
        if (t <= seconds[0]) {
            return values[0];
        }
        int last = seconds.length - 1;
        if (t >= seconds[last]) {
            return values[last];
        }
        int i = java.util.Arrays.binarySearch(seconds, t);
        if (i >= 0) {
            return values[i];
        }
        int after = -i - 1;
        double share = (t - seconds[after - 1]) / (seconds[after] - seconds[after - 1]);
        return values[after - 1] + share * (values[after] - values[after - 1]);
    }

    /** The last row's time: how long the trace lasts. */
    public double duration() {
        return seconds[seconds.length - 1];
    }
}
