package io.demandmetrics.adapter.selector;

/** A label selector that does not parse; the message says where and why. */
public final class SelectorSyntaxException extends IllegalArgumentException {

    public SelectorSyntaxException(String message) {
        super(message);
    }
}
