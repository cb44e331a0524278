package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The adapter's packages as layers: a package imports only packages below it, so a reader
 * follows a request down and back and never up again (STYLE.md). The order, top first; the
 * root package (the command line and the wiring) is above them all.
 */
class PackageLayersTest {

    static final List<String> LAYERS = List.of("http", "forward", "explain", "crd", "replicas", "metrics", "auth", "view", "objects", "store",
            "config", "registry", "tls", "api", "selector", "failure");
    private static final Path SOURCES = Path.of("src/main/java/io/demandmetrics/adapter");
    private static final Pattern IMPORT = Pattern.compile("(?m)^import (?:static )?io\\.demandmetrics\\.adapter\\.(\\w+)(\\.\\w+)?");

    @Test
    void everyPackageImportsOnlyPackagesBelowIt() throws IOException {
        List<String> upward = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = SOURCES.relativize(file);
                String from = relative.getNameCount() == 1 ? "" : relative.getName(0).toString();
                assertThat(from.isEmpty() || LAYERS.contains(from)).as("package %s has a layer", from).isTrue();
                Matcher imported = IMPORT.matcher(Files.readString(file));
                while (imported.find()) {
                    // io.demandmetrics.adapter.Foo (a class of the root package) or .pkg.Foo
                    boolean root = Character.isUpperCase(imported.group(1).charAt(0));
                    String to = root ? "" : imported.group(1);
                    if (!to.equals(from) && !below(to, from)) {
                        upward.add(relative + " imports " + (root ? "the root package" : to) + " ("
                                + imported.group(0).substring("import ".length()) + ")");
                    }
                }
            }
        }
        assertThat(upward).as("imports of a package above").isEmpty();
    }

    /** Whether {@code to} is below {@code from}; the root package is above every other. */
    private static boolean below(String to, String from) {
        if (to.isEmpty()) {
            return false;
        }
        return from.isEmpty() || LAYERS.indexOf(to) > LAYERS.indexOf(from);
    }
}
