package io.demandmetrics.scaler.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a secret comes from: a file (a mounted Secret) or an environment variable. The
 * value is read only when a client is built and is never part of this object's text, so
 * configs, identities and messages that include a source cannot leak the secret.
 */
record SecretSource(String file, String env) {

    static SecretSource ofFile(String file) {
        return new SecretSource(file, null);
    }

    static SecretSource ofEnv(String env) {
        return new SecretSource(null, env);
    }

    /**
     * Reads the secret. A file's trailing newline is dropped (editors and
     * {@code kubectl create secret --from-file} leave one).
     *
     * @throws IllegalStateException naming the file or variable, never the value
     */
    String read() {
        if (file != null) {
            try {
                return Files.readString(Path.of(file), StandardCharsets.UTF_8).stripTrailing();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the secret file " + file + ": "
                        + e.getClass().getSimpleName());
            }
        }
        String value = System.getenv(env);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("the environment variable " + env + " is not set");
        }
        return value;
    }

    @Override
    public String toString() {
        return file != null ? "file " + file : "environment variable " + env;
    }
}
