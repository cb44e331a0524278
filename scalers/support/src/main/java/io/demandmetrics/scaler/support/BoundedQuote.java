package io.demandmetrics.scaler.support;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Values from a config or from outside, quoted for an error message with a bounded length and
 * control characters shown as '?': whoever writes the config or answers a request controls the
 * value, and a 4 MiB string, a YAML alias bomb (a few hundred bytes that expand to millions of
 * elements) or an escape sequence must not become a message of the same size or effect.
 *
 * <pre>
 * BoundedQuote.quote("abc")            -&gt; "abc"
 * BoundedQuote.quote("x".repeat(1000)) -&gt; "xxxx…xxxx" (1000 characters)   (the start only, 64 characters)
 * BoundedQuote.quote(List.of(1, 2))    -&gt; "[1, 2]"
 * </pre>
 * Lists and maps are rendered element by element and the rendering stops at the bound, so a
 * structure that would print as gigabytes costs no more than the bound.
 */
public final class BoundedQuote {

    /** Characters of a value shown at most. */
    public static final int MAX_SHOWN = 64;

    private BoundedQuote() {
    }

    /** The value in double quotes, cut to {@link #MAX_SHOWN} characters with its full length said. */
    public static String quote(Object value) {
        StringBuilder shown = new StringBuilder();
        boolean complete = render(value, shown);
        if (complete && shown.length() <= MAX_SHOWN) {
            return "\"" + shown + "\"";
        }
        String start = shown.substring(0, Math.min(shown.length(), MAX_SHOWN));
        return "\"" + start + "…\"" + (value instanceof CharSequence text
                ? " (" + text.length() + " characters)"
                : value instanceof List<?> list ? " (a list of " + list.size() + " elements)"
                : value instanceof Map<?, ?> map ? " (a map of " + map.size() + " entries)" : "");
    }

    /** Appends {@code value}; returns false when it stopped at the bound. */
    private static boolean render(Object value, StringBuilder out) {
        if (out.length() > MAX_SHOWN) {
            return false;
        }
        if (value instanceof Map<?, ?> map) {
            out.append('{');
            Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
            while (entries.hasNext()) {
                Map.Entry<?, ?> entry = entries.next();
                if (!render(entry.getKey(), out)) {
                    return false;
                }
                out.append('=');
                if (!render(entry.getValue(), out)) {
                    return false;
                }
                if (entries.hasNext()) {
                    out.append(", ");
                }
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (!render(list.get(i), out)) {
                    return false;
                }
                if (i + 1 < list.size()) {
                    out.append(", ");
                }
            }
            out.append(']');
        } else {
            String text = String.valueOf(value);
            int room = MAX_SHOWN + 1 - out.length();
            if (text.length() > room) {
                appendPrintable(out, text, room);
                return false;
            }
            appendPrintable(out, text, text.length());
        }
        return out.length() <= MAX_SHOWN;
    }

    /**
     * {@code text} with every control character as '?': text from outside (a server's error, a
     * scraped line, a config value) must not write escape sequences or line breaks into a
     * message or a log line. {@link #quote} shows values this way too.
     */
    public static String printable(CharSequence text) {
        StringBuilder out = new StringBuilder(text.length());
        appendPrintable(out, text, text.length());
        return out.toString();
    }

    private static void appendPrintable(StringBuilder out, CharSequence text, int length) {
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
    }
}
