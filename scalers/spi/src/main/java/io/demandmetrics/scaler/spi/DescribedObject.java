package io.demandmetrics.scaler.spi;

import java.util.Map;
import java.util.Objects;

/**
 * The Kubernetes object a custom-metric value describes.
 *
 * @param name the object's name ({@code web-7d9f})
 * @param labels the object's labels when the scaler knows them (it discovered the pod),
 *     used to answer the HPA's {@code labelSelector} when the adapter runs without a
 *     Kubernetes API; empty otherwise
 */
public record DescribedObject(String name, Map<String, String> labels) {

    public DescribedObject {
        Objects.requireNonNull(name, "name");
        labels = Map.copyOf(Objects.requireNonNull(labels, "labels"));
    }

    public static DescribedObject named(String name) {
        return new DescribedObject(name, Map.of());
    }
}
