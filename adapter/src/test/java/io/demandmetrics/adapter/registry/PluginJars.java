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
 * build would: with the annotation processors of the SPI's jar, which record the SPI version.
 */
public final class PluginJars {

    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, String> resources = new LinkedHashMap<>();
    private final List<Path> classPath = new ArrayList<>();
    private boolean processors = true;

    /** @param className a fully qualified class name; {@code source} its compilation unit */
    public PluginJars source(String className, String source) {
        sources.put(className, source);
        return this;
    }

    public PluginJars resource(String path, String content) {
        resources.put(path, content);
        return this;
    }

    /**
     * A plugin of {@code type} in package {@code pkg} that serves {@code value} after reading it
     * from a CSV with Apache Commons CSV: one that needs a library of its own (compile it
     * {@link #against} the library's jars, and ship them beside it), as the plugin benches load.
     */
    public static PluginJars csvPlugin(String pkg, String type, int value) {
        return new PluginJars().source(pkg + ".Provider", """
                package %s;
                import io.demandmetrics.scaler.spi.*;
                import io.vertx.core.Future;
                import java.io.StringReader;
                import java.util.ArrayList;
                import java.util.List;
                import java.util.Map;
                import org.apache.commons.csv.CSVFormat;
                import org.apache.commons.csv.CSVRecord;
                public final class Provider implements ScalerProvider<Object> {
                    public String type() { return "%s"; }
                    public Object parseConfig(Map<String, Object> parameters) { return parameters; }
                    public Scaler createScaler(Object config, ScalerContext context) {
                        return () -> {
                            try {
                                List<Sample> samples = new ArrayList<>();
                                for (CSVRecord r : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
                                        .get().parse(new StringReader("queue,value\\norders,%d\\n"))) {
                                    samples.add(Sample.of(Map.of("queue", r.get("queue")), Double.parseDouble(r.get("value"))));
                                }
                                return Future.succeededFuture(samples);
                            } catch (Exception e) {
                                return Future.failedFuture(e);
                            }
                        };
                    }
                }
                """.formatted(pkg, type, value)).provider(pkg + ".Provider");
    }

    /** Registers {@code providerClass} for {@link java.util.ServiceLoader}. */
    public PluginJars provider(String providerClass) {
        return resource("META-INF/services/io.demandmetrics.scaler.spi.ScalerProvider", providerClass + "\n");
    }

    /** Compiles against {@code jar} too (a library the plugin carries). */
    public PluginJars against(Path jar) {
        classPath.add(jar);
        return this;
    }

    /** Compiles without annotation processing, as a build before SPI versions (or javac 23 without -proc:full) did. */
    public PluginJars withoutProcessors() {
        processors = false;
        return this;
    }

    /** Compiles the sources and writes them and the resources to {@code jar}; a resource given replaces one compiled. */
    public Path writeTo(Path jar) {
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
                List<String> arguments = new ArrayList<>(List.of("--release", "17", "-d", classes.toString(),
                        "-cp", classPath()));
                // Processors only from the SPI's jar (found there by javac as from any jar on a
                // team's class path), not from the test's whole class path.
                arguments.addAll(processors ? List.of("-processorpath", spiLocation()) : List.of("-proc:none"));
                arguments.addAll(files);
                int exit = javac.run(null, null, null, arguments.toArray(String[]::new));
                if (exit != 0) {
                    throw new IllegalStateException("javac failed for " + jar + " (its messages are above)");
                }
            }
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                 Stream<Path> compiled = Files.walk(classes)) {
                for (Path file : compiled.filter(Files::isRegularFile).sorted().toList()) {
                    if (resources.containsKey(classes.relativize(file).toString().replace('\\', '/'))) {
                        continue;
                    }
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

    private static String spiLocation() {
        try {
            return Path.of(io.demandmetrics.scaler.spi.SpiVersion.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private String classPath() {
        List<String> entries = new ArrayList<>(classPath.stream().map(Path::toString).toList());
        entries.add(System.getProperty("java.class.path"));
        return String.join(java.io.File.pathSeparator, entries);
    }
}
