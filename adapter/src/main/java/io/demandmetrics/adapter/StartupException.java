package io.demandmetrics.adapter;

/** The adapter cannot start as configured; the message says what to fix. */
public final class StartupException extends Exception {

    private final int exitCode;

    StartupException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    StartupException(int exitCode, String message) {
        this(exitCode, message, null);
    }

    /** 2 for a usage or configuration error, 1 for anything else. */
    public int exitCode() {
        return exitCode;
    }
}
