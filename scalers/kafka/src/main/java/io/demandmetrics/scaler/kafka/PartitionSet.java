package io.demandmetrics.scaler.kafka;

import java.util.BitSet;

/**
 * The partitions {@code partitionLimitation} keeps, written as KEDA writes them:
 * {@code 1,2,10-20}. Immutable.
 */
final class PartitionSet {

    private static final int MAX_PARTITION = 1 << 20;

    private final BitSet partitions;
    private final String text;

    private PartitionSet(BitSet partitions, String text) {
        this.partitions = partitions;
        this.text = text;
    }

    /**
     * Parses a comma-separated list of partition numbers and inclusive ranges.
     *
     * @throws IllegalArgumentException saying which element is wrong
     */
    static PartitionSet parse(String text) {
        BitSet set = new BitSet();
        for (String raw : text.split(",", -1)) {
            String element = raw.trim();
            if (element.isEmpty()) {
                throw new IllegalArgumentException("has an empty element; write e.g. 0,1,4-7");
            }
            int dash = element.indexOf('-', 1);
            int from = partition(dash < 0 ? element : element.substring(0, dash).trim(), element);
            int to = dash < 0 ? from : partition(element.substring(dash + 1).trim(), element);
            if (to < from) {
                throw new IllegalArgumentException("has the range \"" + element + "\", which ends before it starts");
            }
            set.set(from, to + 1);
        }
        return new PartitionSet(set, text);
    }

    private static int partition(String number, String element) {
        try {
            int partition = Integer.parseInt(number);
            if (partition < 0 || partition >= MAX_PARTITION) {
                throw new NumberFormatException();
            }
            return partition;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("has \"" + element + "\", which is not a partition number or a"
                    + " range like 10-20");
        }
    }

    boolean contains(int partition) {
        return partitions.get(partition);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PartitionSet set && set.partitions.equals(partitions);
    }

    @Override
    public int hashCode() {
        return partitions.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
