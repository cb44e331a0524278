package io.demandmetrics.scaler.requests.exposition;

import java.util.Arrays;

/**
 * The labels of one series, sorted by name, immutable. Compared and hashed by content, so a
 * series found in two scrapes is the same key.
 */
public final class Labels {

    public static final Labels EMPTY = new Labels(new String[0]);

    /** name0, value0, name1, value1, ... sorted by name, names unique. */
    private final String[] pairs;
    private final int hash;

    private Labels(String[] pairs) {
        this.pairs = pairs;
        this.hash = Arrays.hashCode(pairs);
    }

    /**
     * Labels from alternating names and values, in any order.
     *
     * @throws IllegalArgumentException for an odd count or a name given twice
     */
    public static Labels of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must alternate");
        }
        int count = namesAndValues.length / 2;
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> namesAndValues[2 * a].compareTo(namesAndValues[2 * b]));
        String[] pairs = new String[namesAndValues.length];
        for (int i = 0; i < count; i++) {
            pairs[2 * i] = namesAndValues[2 * order[i]];
            pairs[2 * i + 1] = namesAndValues[2 * order[i] + 1];
            if (i > 0 && pairs[2 * i].equals(pairs[2 * i - 2])) {
                throw new IllegalArgumentException("label " + pairs[2 * i] + " given twice");
            }
        }
        return new Labels(pairs);
    }

    /** The value of {@code name}, or null. */
    public String get(String name) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(name)) {
                return pairs[i + 1];
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Labels labels && hash == labels.hash && Arrays.equals(pairs, labels.pairs);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** {@code {code="200",method="GET"}}, as in an exposition. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        for (int i = 0; i < pairs.length; i += 2) {
            text.append(i == 0 ? "" : ",").append(pairs[i]).append("=\"")
                    .append(pairs[i + 1].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                    .append('"');
        }
        return text.append('}').toString();
    }
}
