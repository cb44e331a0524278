package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Golden files under src/test/resources/golden: exact expected response bodies. */
final class Golden {

    private Golden() {
    }

    static void assertMatches(String name, String actual) throws IOException {
        Path file = Path.of(System.getProperty("golden.dir", "src/test/resources/golden")).resolve(name + ".json");
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, actual + "\n");
        }
        assertThat(file).as("golden file %s (regenerate with -Dgolden.update=true)", file).exists();
        assertThat(actual).isEqualTo(Files.readString(file).strip());
    }
}
