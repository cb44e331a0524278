package io.demandmetrics.adapter.explain;

import java.util.Locale;

/** Text for the explain page and its chart: numbers as a person reads them, values escaped for HTML and SVG. */
final class Html {

    private Html() {
    }

    /** A whole number without decimals, anything else with three. */
    static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.3f", value);
    }

    /** {@code text} safe inside an element or a double-quoted attribute; null is empty. */
    static String escape(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
