package io.demandmetrics.scaler.requests.exposition;

import io.demandmetrics.scaler.support.BoundedQuote;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the samples a scaler asks for out of a Prometheus text (0.0.4) or OpenMetrics (1.0)
 * exposition, in one pass over its bytes.
 *
 * <p>The grammar is that of prometheus/common {@code expfmt} (text) and the OpenMetrics 1.0
 * specification, in the parts that decide a sample's name, labels and value. Lines whose
 * metric name is not asked for are skipped after the name is read, so a scrape of 300
 * series that keeps 20 costs little more than finding line ends; those lines are checked
 * only as far as their name. Anything else that breaks the grammar rejects the exposition
 * whole ({@link ExpositionException} naming the line): no rate is computed from part of a
 * scrape, and a target that answers with an HTML page or garbage is an error, not zeros.
 *
 * <p>Bounded whatever the target sends: lines of at most {@link #MAX_LINE_BYTES}, at most
 * {@link #MAX_LABELS} labels on a sample and {@link #MAX_KEPT_SAMPLES} kept samples; the
 * caller bounds the body's size. A parser is immutable and may be shared across threads.
 */
public final class ExpositionParser {

    public static final int MAX_LINE_BYTES = 65_536;
    public static final int MAX_LABELS = 128;
    public static final int MAX_KEPT_SAMPLES = 200_000;

    private static final Set<String> TEXT_TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
    private static final Set<String> OPENMETRICS_TYPES = Set.of("counter", "gauge", "histogram", "gaugehistogram",
            "stateset", "info", "summary", "unknown");
    private static final List<String> SUFFIXES = List.of("_total", "_created", "_bucket", "_count", "_sum", "_gcount",
            "_gsum", "_info");

    /** The wanted names' bytes, to find a sample's name among them without making a String of it. */
    private final byte[][] wantedBytes;
    private final String[] wantedNames;
    /** Lengths of the wanted names: most lines are skipped without comparing their name. */
    private final BitSet wantedLengths = new BitSet();
    /** The families of the wanted names, whose TYPE lines are checked and kept. */
    private final Set<String> wantedFamilies = new HashSet<>();

    private final LabelsCache labelsCache;

    /** @param sampleNames the sample names to keep, e.g. {@code http_requests_total}, {@code x_bucket} */
    public ExpositionParser(Set<String> sampleNames) {
        this(sampleNames, new LabelsCache(64));
    }

    /** @param labelsCache label sets parsed before, shared with the parsers of other targets */
    public ExpositionParser(Set<String> sampleNames, LabelsCache labelsCache) {
        Set<String> wanted = Set.copyOf(sampleNames);
        this.labelsCache = labelsCache;
        this.wantedNames = wanted.toArray(String[]::new);
        this.wantedBytes = new byte[wantedNames.length][];
        for (int i = 0; i < wantedNames.length; i++) {
            wantedBytes[i] = wantedNames[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        for (String name : wanted) {
            wantedLengths.set(name.length());
            wantedFamilies.add(name);
            for (String suffix : SUFFIXES) {
                if (name.endsWith(suffix)) {
                    wantedFamilies.add(name.substring(0, name.length() - suffix.length()));
                }
            }
        }
    }

    /** What one exposition held of the wanted names. */
    public record Exposition(List<ScrapedSample> samples, Map<String, String> types) {

        /** The declared type of a family ({@code histogram}, {@code counter}, ...), or null if none was given. */
        public String type(String family) {
            return types.get(family);
        }
    }

    /** Parses {@code body[0, length)}. */
    public Exposition parse(byte[] body, int length, Format format) throws ExpositionException {
        return new ParseState(body, length, format).run();
    }

    public Exposition parse(byte[] body, Format format) throws ExpositionException {
        return parse(body, body.length, format);
    }

    /** The state of one parse: a cursor over the bytes. */
    private final class ParseState {

        private final byte[] in;
        private final int length;
        private final boolean openMetrics;
        private final List<ScrapedSample> samples = new ArrayList<>();
        private final Set<SeriesKey> seen = new HashSet<>();
        private final Map<String, String> types = new HashMap<>();
        /** Families that already had a sample: a TYPE line after that is an error. */
        private final Set<String> sampled = new HashSet<>();
        /** A label value's bytes while unescaping; grows to the longest value (at most a line). */
        private byte[] scratch = new byte[256];
        private int pos;
        private int end;
        private int line;
        /** The name of the last sample kept, whose family is already in {@code sampled}. */
        private String lastSampled;

        ParseState(byte[] in, int length, Format format) {
            this.in = in;
            this.length = length;
            this.openMetrics = format == Format.OPENMETRICS;
        }

        Exposition run() throws ExpositionException {
            boolean eof = false;
            int start = 0;
            while (start < length) {
                line++;
                int newline = indexOf((byte) '\n', start);
                end = newline < 0 ? length : newline;
                if (end - start > MAX_LINE_BYTES) {
                    throw ExpositionException.at(line, "longer than " + MAX_LINE_BYTES + " bytes");
                }
                if (!openMetrics && end > start && in[end - 1] == '\r') {
                    end--;
                }
                if (eof) {
                    throw ExpositionException.at(line, "content after \"# EOF\"");
                }
                pos = start;
                eof = line();
                start = newline < 0 ? length : newline + 1;
            }
            if (openMetrics && !eof) {
                throw ExpositionException.at(line, "the exposition ends without \"# EOF\"");
            }
            return new Exposition(Collections.unmodifiableList(samples), Map.copyOf(types));
        }

        /** One line in [pos, end); true for OpenMetrics' {@code # EOF}. */
        private boolean line() throws ExpositionException {
            if (pos == end) {
                if (openMetrics) {
                    throw problem("an empty line (OpenMetrics allows none)");
                }
                return false;
            }
            byte first = in[pos];
            if (first == '#') {
                return comment();
            }
            if (isNameStart(first)) {
                sample();
                return false;
            }
            if (!openMetrics && (first == ' ' || first == '\t')) {
                skipBlanks();
                if (pos == end) {
                    return false;
                }
                if (in[pos] == '#') {
                    return comment();
                }
                if (isNameStart(in[pos])) {
                    sample();
                    return false;
                }
            }
            throw problem("expected a metric name or '#', found " + BoundedQuote.quote(rest()));
        }

        private boolean comment() throws ExpositionException {
            pos++;
            if (openMetrics) {
                if (pos == end) {
                    throw problem("a bare '#' (OpenMetrics allows only # HELP, # TYPE, # UNIT and # EOF)");
                }
                expect(' ', "a space after '#'");
            } else {
                skipBlanks();
            }
            int keywordStart = pos;
            while (pos < end && in[pos] != ' ' && in[pos] != '\t') {
                pos++;
            }
            String keyword = ascii(keywordStart, pos);
            switch (keyword) {
                case "EOF":
                    if (!openMetrics) {
                        return false; // a comment in the text format
                    }
                    if (pos != end) {
                        throw problem("text after \"# EOF\"");
                    }
                    return true;
                case "TYPE":
                    type();
                    return false;
                case "HELP":
                case "UNIT":
                    if (openMetrics || keyword.equals("HELP")) {
                        metadataName();
                        return false;
                    }
                    return false;
                default:
                    if (openMetrics) {
                        throw problem("unknown comment " + BoundedQuote.quote(keyword)
                                + " (OpenMetrics allows only # HELP, # TYPE, # UNIT and # EOF)");
                    }
                    return false; // any other comment in the text format
            }
        }

        /** The metric name of a HELP, TYPE or UNIT line; the rest of a HELP or UNIT line is free text. */
        private String metadataName() throws ExpositionException {
            if (openMetrics) {
                expect(' ', "a space before the metric name");
            } else {
                skipBlanks();
            }
            int nameStart = pos;
            if (pos == end || !isNameStart(in[pos])) {
                throw problem("expected a metric name, found " + BoundedQuote.quote(rest()));
            }
            while (pos < end && isNameChar(in[pos])) {
                pos++;
            }
            return ascii(nameStart, pos);
        }

        private void type() throws ExpositionException {
            String family = metadataName();
            if (openMetrics) {
                expect(' ', "a space before the type");
            } else {
                skipBlanks();
            }
            String type = ascii(pos, end).strip();
            if (!(openMetrics ? OPENMETRICS_TYPES : TEXT_TYPES).contains(type)) {
                throw problem("unknown type " + BoundedQuote.quote(type) + " for " + family + "; known: "
                        + new java.util.TreeSet<>(openMetrics ? OPENMETRICS_TYPES : TEXT_TYPES));
            }
            if (!wantedFamilies.contains(family)) {
                return;
            }
            if (types.putIfAbsent(family, type) != null) {
                throw problem("a second TYPE line for " + family);
            }
            if (sampled.contains(family)) {
                throw problem("the TYPE line for " + family + " comes after its samples");
            }
        }

        private void sample() throws ExpositionException {
            int nameStart = pos;
            while (pos < end && isNameChar(in[pos])) {
                pos++;
            }
            if (!wantedLengths.get(pos - nameStart)) {
                return;
            }
            String name = wantedName(nameStart, pos);
            if (name == null) {
                return;
            }
            Labels labels = pos < end && in[pos] == '{' ? labels(true) : Labels.EMPTY;
            separator("the value");
            double value = number("value");
            if (pos < end) {
                int before = pos;
                separator("the timestamp");
                if (pos < end && in[pos] == '#' && openMetrics) {
                    pos = before;
                } else if (pos < end) {
                    timestamp();
                }
            }
            if (openMetrics && pos < end) {
                exemplar();
            }
            if (!openMetrics) {
                skipBlanks();
            }
            if (pos != end) {
                throw problem("unexpected " + BoundedQuote.quote(rest()) + " after the value");
            }
            if (!seen.add(new SeriesKey(name, labels))) {
                throw problem("a second sample of " + name + labels);
            }
            if (samples.size() == MAX_KEPT_SAMPLES) {
                throw problem("more than " + MAX_KEPT_SAMPLES + " samples of the metrics asked for");
            }
            samples.add(new ScrapedSample(name, labels, value));
            if (name != lastSampled) { // the names are the wanted set's own strings: samples of a family come together
                lastSampled = name;
                sampled.add(name);
                for (String suffix : SUFFIXES) {
                    if (name.endsWith(suffix)) {
                        sampled.add(name.substring(0, name.length() - suffix.length()));
                    }
                }
            }
        }

        /** The wanted name spelled by {@code in[from, to)}, or null. */
        private String wantedName(int from, int to) {
            for (int i = 0; i < wantedBytes.length; i++) {
                byte[] name = wantedBytes[i];
                if (Arrays.equals(name, 0, name.length, in, from, to)) {
                    return wantedNames[i];
                }
            }
            return null;
        }

        /**
         * {@code {a="x",b="y"}}, at '{'; from the labels cache when the same text was parsed
         * before (a sample's labels: an exemplar's change every time and would only evict them).
         */
        private Labels labels(boolean cached) throws ExpositionException {
            int from = pos;
            int to = cached ? labelsEnd() : -1;
            if (to > 0) {
                Labels known = labelsCache.get(in, from, to, openMetrics);
                if (known != null) {
                    pos = to;
                    return known;
                }
            }
            Labels parsed = parseLabels();
            if (to > 0 && pos == to) {
                labelsCache.put(in, from, to, openMetrics, parsed);
            }
            return parsed;
        }

        /** Where the label set at '{' ends (just after its '}', outside quotes), or -1 if not on this line. */
        private int labelsEnd() {
            boolean quoted = false;
            for (int i = pos + 1; i < end; i++) {
                byte b = in[i];
                if (quoted && b == '\\') {
                    i++;
                } else if (b == '"') {
                    quoted = !quoted;
                } else if (!quoted && b == '}') {
                    return i + 1;
                }
            }
            return -1;
        }

        /** {@code {a="x",b="y"}}, at '{', parsed. */
        private Labels parseLabels() throws ExpositionException {
            pos++;
            List<String> namesAndValues = new ArrayList<>();
            while (true) {
                blanksInText();
                if (pos < end && in[pos] == '}') {
                    pos++;
                    break;
                }
                if (namesAndValues.size() == 2 * MAX_LABELS) {
                    throw problem("more than " + MAX_LABELS + " labels");
                }
                int labelStart = pos;
                if (pos == end || !isLabelStart(in[pos])) {
                    throw problem("expected a label name, found " + BoundedQuote.quote(rest()));
                }
                while (pos < end && isLabelChar(in[pos])) {
                    pos++;
                }
                String label = ascii(labelStart, pos);
                blanksInText();
                expect('=', "'=' after label ", label);
                blanksInText();
                expect('"', "'\"' opening the value of label ", label);
                namesAndValues.add(label);
                namesAndValues.add(labelValue(label));
                blanksInText();
                if (pos < end && in[pos] == ',') {
                    pos++;
                } else if (pos < end && in[pos] == '}') {
                    pos++;
                    break;
                } else {
                    throw problem("expected ',' or '}' after the value of label " + label + ", found "
                            + BoundedQuote.quote(rest()));
                }
            }
            try {
                return Labels.of(namesAndValues.toArray(String[]::new));
            } catch (IllegalArgumentException e) {
                throw problem(e.getMessage());
            }
        }

        /** A quoted label value after its opening quote; escapes \\, \" and \n. */
        private String labelValue(String label) throws ExpositionException {
            int length = 0;
            boolean ascii = true;
            while (true) {
                if (pos == end) {
                    throw problem("the value of label " + label + " is not closed by '\"'");
                }
                byte b = in[pos++];
                if (b == '"') {
                    break;
                }
                if (b == '\\') {
                    if (pos == end) {
                        throw problem("the value of label " + label + " ends in '\\'");
                    }
                    byte escaped = in[pos++];
                    b = switch (escaped) {
                        case '\\' -> '\\';
                        case '"' -> '"';
                        case 'n' -> '\n';
                        default -> throw problem("invalid escape \\" + (char) (escaped & 0xff) + " in the value of label "
                                + label + " (only \\\\, \\\" and \\n)");
                    };
                }
                ascii &= b >= 0;
                if (length == scratch.length) {
                    scratch = java.util.Arrays.copyOf(scratch, scratch.length * 2);
                }
                scratch[length++] = b;
            }
            if (ascii) {
                return new String(scratch, 0, length, StandardCharsets.ISO_8859_1);
            }
            CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            try {
                CharBuffer decoded = decoder.decode(ByteBuffer.wrap(scratch, 0, length));
                return decoded.toString();
            } catch (CharacterCodingException e) {
                throw problem("the value of label " + label + " is not valid UTF-8");
            }
        }

        /** An exemplar after a sample, {@code # {labels} value [timestamp]}: checked, then dropped. */
        private void exemplar() throws ExpositionException {
            separator("the exemplar");
            expect('#', "'#' opening an exemplar");
            expect(' ', "a space after the exemplar's '#'");
            if (pos == end || in[pos] != '{') {
                throw problem("expected the exemplar's labels, found " + BoundedQuote.quote(rest()));
            }
            labels(false);
            separator("the exemplar's value");
            number("exemplar value");
            if (pos < end) {
                separator("the exemplar's timestamp");
                timestamp();
            }
        }

        /** Text: blanks or tabs, at least one. OpenMetrics: exactly one space. */
        private void separator(String before) throws ExpositionException {
            if (openMetrics) {
                expect(' ', "a space before ", before);
                return;
            }
            if (pos == end || (in[pos] != ' ' && in[pos] != '\t')) {
                throw problem("expected a blank before " + before + ", found " + BoundedQuote.quote(rest()));
            }
            skipBlanks();
        }

        /** A float: digits, sign, point, exponent, or NaN / +Inf / -Inf (any case, as Go parses them). */
        private double number(String what) throws ExpositionException {
            int start = pos;
            while (pos < end && in[pos] != ' ' && in[pos] != '\t') {
                pos++;
            }
            double plain = plainDecimal(in, start, pos);
            if (!Double.isNaN(plain)) {
                return plain;
            }
            String text = ascii(start, pos);
            Double parsed = parseFloat(text);
            if (parsed == null) {
                throw problem(what + " " + BoundedQuote.quote(text) + " is not a number");
            }
            return parsed;
        }

        /** Text: integer milliseconds. OpenMetrics: float seconds. Checked, then dropped. */
        private void timestamp() throws ExpositionException {
            int start = pos;
            while (pos < end && in[pos] != ' ' && in[pos] != '\t') {
                pos++;
            }
            String text = ascii(start, pos);
            boolean valid = openMetrics ? parseFloat(text) != null && Double.isFinite(parseFloat(text))
                    : text.matches("-?[0-9]{1,19}");
            if (!valid) {
                throw problem("timestamp " + BoundedQuote.quote(text) + " is not "
                        + (openMetrics ? "a number of seconds" : "an integer of milliseconds"));
            }
        }

        private void expect(char expected, String what) throws ExpositionException {
            expect(expected, what, "");
        }

        /** As {@link #expect(char, String)}, the message {@code what + label} built only when it is needed. */
        private void expect(char expected, String what, String label) throws ExpositionException {
            if (pos == end || in[pos] != expected) {
                throw problem("expected " + what + label + ", found " + BoundedQuote.quote(rest()));
            }
            pos++;
        }

        private void blanksInText() {
            if (!openMetrics) {
                skipBlanks();
            }
        }

        private void skipBlanks() {
            while (pos < end && (in[pos] == ' ' || in[pos] == '\t')) {
                pos++;
            }
        }

        private int indexOf(byte b, int from) {
            for (int i = from; i < length; i++) {
                if (in[i] == b) {
                    return i;
                }
            }
            return -1;
        }

        /**
         * What is left of the line, or "end of line": at most a little more than BoundedQuote shows
         * (and BoundedQuote.quote, which every caller uses, shows control characters as '?').
         */
        private String rest() {
            if (pos >= end) {
                return "end of line";
            }
            return new String(in, pos, Math.min(end - pos, BoundedQuote.MAX_SHOWN + 1), StandardCharsets.UTF_8);
        }

        private String ascii(int from, int to) {
            return new String(in, from, to - from, StandardCharsets.ISO_8859_1);
        }

        private ExpositionException problem(String problem) {
            return ExpositionException.at(line, problem);
        }
    }

    private record SeriesKey(String name, Labels labels) {
    }

    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    /**
     * The value of {@code [from, to)} when it is a plain decimal of at most 15 digits
     * ({@code 42}, {@code -0.25}, {@code 1234.5}), what counters and bucket counts are; NaN for
     * anything else, which {@link #parseFloat} then reads. Exact: such digits and any power of
     * ten up to 10^22 are exact doubles, and one IEEE division of two exact doubles is
     * correctly rounded (Clinger's fast path), so this equals {@link Double#parseDouble}
     * without its allocations.
     */
    static double plainDecimal(byte[] in, int from, int to) {
        int i = from;
        boolean negative = false;
        if (i < to && (in[i] == '-' || in[i] == '+')) {
            negative = in[i] == '-';
            i++;
        }
        long digits = 0;
        int count = 0;
        int fraction = -1;
        for (; i < to; i++) {
            byte b = in[i];
            if (b >= '0' && b <= '9') {
                if (++count > 15) {
                    return Double.NaN;
                }
                digits = digits * 10 + (b - '0');
                if (fraction >= 0) {
                    fraction++;
                }
            } else if (b == '.' && fraction < 0) {
                fraction = 0;
            } else {
                return Double.NaN;
            }
        }
        if (count == 0) {
            return Double.NaN;
        }
        double value = fraction > 0 ? digits / POWERS_OF_TEN[fraction] : digits;
        return negative ? -value : value;
    }

    /** Go's strconv.ParseFloat on what expositions contain (values, {@code le}); null when it is not a number. */
    public static Double parseFloat(String text) {
        switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "nan":
                return Double.NaN;
            case "+inf", "inf", "+infinity", "infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                break;
        }
        if (text.isEmpty() || text.length() > 64) {
            return null;
        }
        // Java also reads "1d", "0x1p3", " 1": accept only what a decimal float is made of.
        boolean digit = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' && c != '_') {
                return null;
            }
        }
        if (!digit || text.indexOf('_') >= 0) {
            return null;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean isNameStart(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_' || b == ':';
    }

    private static boolean isNameChar(byte b) {
        return isNameStart(b) || (b >= '0' && b <= '9');
    }

    private static boolean isLabelStart(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_';
    }

    private static boolean isLabelChar(byte b) {
        return isLabelStart(b) || (b >= '0' && b <= '9');
    }
}
