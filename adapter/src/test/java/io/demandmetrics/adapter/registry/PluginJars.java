package io.demandmetrics.adapter.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds plugin and library jars in a test from Java sources, compiled with the JDK's
 * compiler against the test's class path (the SPI, Vert.x) plus any jars given, as a team's
 * build would.
 */
final class PluginJars {

    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, String> resources = new LinkedHashMap<>();
    private final List<Path> classPath = new ArrayList<>();

    /** @param className a fully qualified class name; {@code source} its compilation unit */
    PluginJars source(String className, String source) {
        sources.put(className, source);
        return this;
    }

    PluginJars resource(String path, String content) {
        resources.put(path, content);
        return this;
    }

    /** Registers {@code providerClass} for {@link java.util.ServiceLoader}. */
    PluginJars provider(String providerClass) {
        return resource("META-INF/services/io.demandmetrics.scaler.spi.ScalerProvider", providerClass + "\n");
    }

    /** Compiles against {@code jar} too (a library the plugin carries). */
    PluginJars against(Path jar) {
        classPath.add(jar);
        return this;
    }

    /** Compiles the sources and writes them and the resources to {@code jar}. */
    Path writeTo(Path jar) {
        try {
            Files.createDirectories(jar.getParent());
            Path work = Files.createTempDirectory("plugin-build");
            Path src = work.resolve("src");
            Path classes = work.resolve("classes");
            Files.createDirectories(classes);
            List<String> files = new ArrayList<>();
            for (Map.Entry<String, String> source : sources.entrySet()) {
                Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
                Files.createDirectories(file.getParent());
                Files.writeString(file, source.getValue());
                files.add(file.toString());
            }
            if (!files.isEmpty()) {
                JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
                List<String> arguments = new ArrayList<>(List.of("--release", "17", "-proc:none", "-d", classes.toString(),
                        "-cp", classPath()));
                arguments.addAll(files);
                int exit = javac.run(null, null, null, arguments.toArray(String[]::new));
                if (exit != 0) {
                    throw new IllegalStateException("javac failed for " + jar + " (its messages are above)");
                }
            }
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                 Stream<Path> compiled = Files.walk(classes)) {
                for (Path file : compiled.filter(Files::isRegularFile).sorted().toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                    out.write(Files.readAllBytes(file));
                    out.closeEntry();
                }
                for (Map.Entry<String, String> resource : resources.entrySet()) {
                    out.putNextEntry(new JarEntry(resource.getKey()));
                    out.write(resource.getValue().getBytes(StandardCharsets.UTF_8));
                    out.closeEntry();
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String classPath() {
        List<String> entries = new ArrayList<>(classPath.stream().map(Path::toString).toList());
        entries.add(System.getProperty("java.class.path"));
        return String.join(java.io.File.pathSeparator, entries);
    }
}
