package io.demandmetrics.adapter.replicas;

import io.demandmetrics.adapter.config.MetricKey;
import io.demandmetrics.adapter.store.Failure;
import io.demandmetrics.adapter.store.Reading;

/**
 * What an owner sends its peers about one metric after each poll: the reading it serves (its
 * lead applied) and its last failure, with the digest of its settings so a peer whose config
 * differs does not serve it.
 *
 * @param reading null before the owner's first good poll
 * @param failure null when the owner's last poll succeeded
 */
public record ReplicatedReading(MetricKey key, String settings, Reading reading, Failure failure) {
}
