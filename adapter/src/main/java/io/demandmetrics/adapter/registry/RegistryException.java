package io.demandmetrics.adapter.registry;

/** The scaler types cannot be loaded as given: the adapter must not start. */
public final class RegistryException extends Exception {

    public RegistryException(String message) {
        super(message);
    }
}
