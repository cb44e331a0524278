package io.demandmetrics.scaler.requests.series;

import io.demandmetrics.scaler.requests.exposition.Labels;
import io.demandmetrics.scaler.support.BoundedQuote;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One PromQL label matcher: {@code name="v"}, {@code name!="v"}, {@code name=~"re"},
 * {@code name!~"re"}. Regular expressions are anchored at both ends, as in PromQL; an absent
 * label matches as the empty string, also as in PromQL ({@code code!="500"} keeps series
 * without a code).
 */
public record LabelMatcher(String name, Op op, String value, Pattern pattern) {

    public enum Op {
        EQUAL("="), NOT_EQUAL("!="), MATCHES("=~"), NOT_MATCHES("!~");

        private final String text;

        Op(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    /** Characters of a regular expression at most: a pattern is compiled once, but bounded all the same. */
    static final int MAX_PATTERN = 1_000;

    public boolean matches(Labels labels) {
        String actual = labels.get(name);
        String text = actual == null ? "" : actual;
        return switch (op) {
            case EQUAL -> text.equals(value);
            case NOT_EQUAL -> !text.equals(value);
            case MATCHES -> pattern.matcher(text).matches();
            case NOT_MATCHES -> !pattern.matcher(text).matches();
        };
    }

    /** Whether every matcher matches. */
    public static boolean all(List<LabelMatcher> matchers, Labels labels) {
        for (LabelMatcher matcher : matchers) {
            if (!matcher.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses {@code reporter="destination", response_code!~"5.."} (the braces of a PromQL
     * selector may be kept or left out).
     *
     * @throws IllegalArgumentException with a message that says what is wrong and where
     */
    public static List<LabelMatcher> parseAll(String text) {
        String body = text.strip();
        if (body.startsWith("{") && body.endsWith("}")) {
            body = body.substring(1, body.length() - 1);
        }
        MatcherText in = new MatcherText(body);
        List<LabelMatcher> matchers = new ArrayList<>();
        while (!in.atEnd()) {
            String name = in.name();
            Op op = in.op(name);
            matchers.add(of(name, op, in.quotedValue(name, op)));
            in.separator();
        }
        return List.copyOf(matchers);
    }

    /** A cursor over matchers' text, each step reading one part of {@code name op "value"}, and failing with what it expected. */
    private static final class MatcherText {
        private final String body;
        private int pos;

        MatcherText(String body) {
            this.body = body;
        }

        boolean atEnd() {
            pos = skipSpaces(body, pos);
            return pos == body.length();
        }

        String name() {
            int nameStart = pos;
            while (pos < body.length() && (Character.isLetterOrDigit(body.charAt(pos)) || body.charAt(pos) == '_')) {
                pos++;
            }
            String name = body.substring(nameStart, pos);
            if (!LABEL.matcher(name).matches()) {
                throw new IllegalArgumentException("expected a label name at " + BoundedQuote.quote(body.substring(nameStart)));
            }
            return name;
        }

        Op op(String name) {
            pos = skipSpaces(body, pos);
            for (Op candidate : new Op[] {Op.NOT_EQUAL, Op.MATCHES, Op.NOT_MATCHES, Op.EQUAL}) {
                if (body.startsWith(candidate.text, pos)) {
                    pos += candidate.text.length();
                    return candidate;
                }
            }
            throw new IllegalArgumentException("expected =, !=, =~ or !~ after " + name);
        }

        String quotedValue(String name, Op op) {
            pos = skipSpaces(body, pos);
            if (pos == body.length() || body.charAt(pos) != '"') {
                throw new IllegalArgumentException("expected a double-quoted value after " + name + op);
            }
            StringBuilder value = new StringBuilder();
            pos++;
            while (true) {
                if (pos == body.length()) {
                    throw new IllegalArgumentException("the value of " + name + " is not closed by '\"'");
                }
                char c = body.charAt(pos++);
                if (c == '"') {
                    return value.toString();
                }
                if (c == '\\' && pos < body.length()) {
                    char escaped = body.charAt(pos++);
                    value.append(switch (escaped) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        default -> escaped;
                    });
                } else {
                    value.append(c);
                }
            }
        }

        /** A ',' between matchers, or the end. */
        void separator() {
            pos = skipSpaces(body, pos);
            if (pos < body.length()) {
                if (body.charAt(pos) != ',') {
                    throw new IllegalArgumentException("expected ',' between matchers at "
                            + BoundedQuote.quote(body.substring(pos)));
                }
                pos++;
            }
        }
    }

    public static LabelMatcher of(String name, Op op, String value) {
        Pattern pattern = null;
        if (op == Op.MATCHES || op == Op.NOT_MATCHES) {
            if (value.length() > MAX_PATTERN) {
                throw new IllegalArgumentException("the pattern for " + name + " is longer than " + MAX_PATTERN
                        + " characters");
            }
            try {
                pattern = Pattern.compile(value, Pattern.DOTALL);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("the pattern for " + name + " is not a valid regular expression: "
                        + e.getDescription());
            }
        }
        return new LabelMatcher(name, op, value, pattern);
    }

    private static int skipSpaces(String text, int pos) {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
        return pos;
    }

    /** The matcher in PromQL: the value quoted, with backslash, quote and control characters escaped. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(name).append(op).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> text.append("\\\\");
                case '"' -> text.append("\\\"");
                case '\n' -> text.append("\\n");
                case '\t' -> text.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        text.append(String.format("\\x%02x", (int) c));
                    } else {
                        text.append(c);
                    }
                }
            }
        }
        return text.append('"').toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LabelMatcher m && m.name.equals(name) && m.op == op && m.value.equals(value);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(name, op, value);
    }
}
