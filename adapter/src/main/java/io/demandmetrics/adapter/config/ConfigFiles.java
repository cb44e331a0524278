package io.demandmetrics.adapter.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the config file, refusing one too large to be a config. */
public final class ConfigFiles {

    /**
     * Ten thousand metrics take about 2 MB of YAML (bench/run section 2); a larger file is a
     * mistake or an attack, and parsing it would cost far more memory than serving it.
     */
    public static final long MAX_BYTES = 4 * 1024 * 1024;

    private ConfigFiles() {
    }

    /** The file's text. @throws IOException when it cannot be read or is over {@link #MAX_BYTES} */
    public static String read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new IOException("the file is " + size + " bytes; a config may be at most " + MAX_BYTES
                    + " bytes (4 MiB)");
        }
        return Files.readString(file);
    }
}
