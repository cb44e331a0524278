package io.demandmetrics.adapter.view;

import io.demandmetrics.scaler.spi.Sample;
import java.util.List;

/**
 * What an answer was worked out from: the reading's samples and, for a custom metric, the
 * generation of the objects it was matched against. Two answers to one question from the same
 * basis are the same answer, so an encoded answer is reused while its basis holds.
 *
 * @param samples the served samples (compared by identity: a reading's list is one instance for
 *     as long as the reading is served, and comparing it is free; fallback samples are made per
 *     call, so an answer from a fallback is never reused)
 * @param objectsGeneration the object resolver's generation; 0 for external metrics
 */
public record Basis(List<Sample> samples, long objectsGeneration) {

    /** Whether {@code other} is the same reading and the same objects. */
    public boolean sameAs(Basis other) {
        return other != null && samples == other.samples && objectsGeneration == other.objectsGeneration;
    }
}
