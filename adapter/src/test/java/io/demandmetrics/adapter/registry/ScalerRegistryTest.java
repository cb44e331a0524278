package io.demandmetrics.adapter.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScalerRegistryTest {

    @TempDir
    Path plugins;

    @Test
    void builtInScalersAreFoundWithoutAPluginDir() throws Exception {
        ScalerRegistry registry = ScalerRegistry.load(null, warning -> {
            throw new AssertionError(warning);
        });
        assertThat(registry.types()).contains("cron", "test-values");
        assertThat(registry.providers()).anySatisfy(p -> assertThat(p.origin()).startsWith("built-in (")
                .contains("demand-scaler-cron"));
    }

    @Test
    void brokenPluginJarsAreReportedAndSkipped() throws Exception {
        Files.writeString(plugins.resolve("a-not-a-zip.jar"), "garbage");
        jar(plugins.resolve("b-missing-class.jar"), "com.example.DoesNotExist\n");
        jar(plugins.resolve("c-no-services.jar"), null);
        Files.writeString(plugins.resolve("notes.txt"), "ignored: not a jar by name");
        List<String> warnings = new ArrayList<>();
        ScalerRegistry registry = ScalerRegistry.load(plugins, warnings::add);
        assertThat(registry.types()).contains("cron");
        assertThat(warnings).containsExactly(
                "plugin jar " + plugins.resolve("a-not-a-zip.jar") + " skipped: not a readable jar (zip END header not found)",
                "plugin jar " + plugins.resolve("b-missing-class.jar") + " skipped: io.demandmetrics.scaler.spi.ScalerProvider:"
                        + " Provider com.example.DoesNotExist not found",
                "plugin jar " + plugins.resolve("c-no-services.jar") + " skipped: it registers no"
                        + " io.demandmetrics.scaler.spi.ScalerProvider in META-INF/services");
    }

    @Test
    void aPluginDirThatIsNotADirectoryStopsStartup() {
        assertThatThrownBy(() -> ScalerRegistry.load(plugins.resolve("absent"), w -> { }))
                .isInstanceOf(RegistryException.class)
                .hasMessage("--plugin-dir " + plugins.resolve("absent") + " is not a directory");
    }

    private static void jar(Path file, String services) throws Exception {
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(file))) {
            jar.putNextEntry(new JarEntry(services == null ? "README" : "META-INF/services/"
                    + "io.demandmetrics.scaler.spi.ScalerProvider"));
            jar.write((services == null ? "nothing" : services).getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
    }
}
