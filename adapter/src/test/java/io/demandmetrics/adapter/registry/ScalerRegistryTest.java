package io.demandmetrics.adapter.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.spi.SpiVersion;
import io.demandmetrics.scaler.testkit.TestScalerContext;
import io.vertx.core.Vertx;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScalerRegistryTest {

    @TempDir
    Path plugins;
    @TempDir
    Path build;

    @Test
    void builtInScalersAreFoundWithoutAPluginDir() throws Exception {
        ScalerRegistry registry = loadWithoutWarnings(null);
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

    @Test
    void twoPluginsCarryingDifferentVersionsOfOneLibraryEachUseTheirOwn() throws Exception {
        for (int version = 1; version <= 2; version++) {
            Path lib = new PluginJars().source("com.example.lib.Greeting", """
                    package com.example.lib;
                    public final class Greeting {
                        public static double version() { return %d; }
                    }
                    """.formatted(version)).writeTo(build.resolve("lib-" + version + ".jar"));
            String name = "uses-lib-" + version;
            Path plugin = plugins.resolve(name); // a directory: the plugin and the library it carries
            plugin(name, "com.example.lib.Greeting.version()", lib).writeTo(plugin.resolve(name + ".jar"));
            Files.copy(lib, plugin.resolve("lib.jar"));
        }
        ScalerRegistry registry = loadWithoutWarnings(plugins);
        assertThat(fetch(registry, "uses-lib-1")).isEqualTo(1);
        assertThat(fetch(registry, "uses-lib-2")).isEqualTo(2);
    }

    @Test
    void aPluginsOwnCopyOfALibraryTheAdapterHasComesFirst() throws Exception {
        // The adapter has jackson-core; this plugin carries "its own version" of one of its
        // classes, with a method the adapter's copy does not have.
        String jackson = "com.fasterxml.jackson.core.json.PackageVersion";
        assertThat(Class.forName(jackson).getMethods()).noneMatch(m -> m.getName().equals("pluginsOwn"));
        Path lib = new PluginJars().source(jackson, """
                package com.fasterxml.jackson.core.json;
                public final class PackageVersion {
                    public static double pluginsOwn() { return 7; }
                }
                """).writeTo(build.resolve("jackson-core-fake.jar"));
        plugin("own-jackson", jackson + ".pluginsOwn()", lib).writeTo(plugins.resolve("own-jackson/plugin.jar"));
        Files.copy(lib, plugins.resolve("own-jackson/jackson-core-fake.jar"));
        ScalerRegistry registry = loadWithoutWarnings(plugins);
        assertThat(fetch(registry, "own-jackson")).isEqualTo(7);
    }

    @Test
    void theSpiAndTheTypesItExposesAreTheAdapters() throws Exception {
        plugin("spi-types", "1").writeTo(plugins.resolve("spi-types.jar"));
        ScalerRegistry registry = loadWithoutWarnings(plugins);
        ClassLoader pluginLoader = registry.classLoader("spi-types").orElseThrow();
        assertThat(pluginLoader).isNotSameAs(ScalerRegistry.class.getClassLoader());
        for (Class<?> shared : List.of(ScalerProvider.class, io.vertx.core.Future.class,
                io.micrometer.core.instrument.MeterRegistry.class, org.slf4j.Logger.class)) {
            assertThat(pluginLoader.loadClass(shared.getName())).as(shared.getName()).isSameAs(shared);
        }
    }

    @Test
    void theAdaptersOtherLibrariesAreNotThePlugins() throws Exception {
        // 4 if the plugin sees Jackson (the adapter's), 2 the support artifact's helpers (the
        // adapter's, not carried), 1 Vert.x's JsonObject (shared). Only the last may be seen.
        String seen = "java.util.stream.Stream.of(\"com.fasterxml.jackson.core.JsonFactory\","
                + " \"io.demandmetrics.scaler.support.ParameterReader\", \"io.vertx.core.json.JsonObject\")"
                + ".mapToDouble(name -> { try { Class.forName(name); return 1; } catch (ClassNotFoundException e) {"
                + " return 0; } }).reduce(0, (sum, one) -> sum * 2 + one)";
        plugin("sees", seen).writeTo(plugins.resolve("sees.jar"));
        ScalerRegistry registry = loadWithoutWarnings(plugins);
        assertThat(Class.forName("com.fasterxml.jackson.core.JsonFactory")).isNotNull(); // the adapter has both
        assertThat(Class.forName("io.demandmetrics.scaler.support.ParameterReader")).isNotNull();
        assertThat(fetch(registry, "sees")).as("4 Jackson + 2 support + 1 Vert.x: only Vert.x").isEqualTo(1);
        ClassLoader pluginLoader = registry.classLoader("sees").orElseThrow();
        assertThat(pluginLoader.getResource("com/fasterxml/jackson/core/JsonFactory.class")).isNull();
        assertThat(pluginLoader.getResource("java/lang/String.class")).isNotNull();
    }

    @Test
    void aPluginBuiltAgainstAnEarlierMinorOfTheSpiLoads() throws Exception {
        String earlier = SpiVersion.CURRENT.replaceFirst("\\.\\d+$", ".0");
        assertThat(earlier).as("this SPI has an earlier minor").isNotEqualTo(SpiVersion.CURRENT);
        plugin("earlier-minor", "1").resource(SpiVersion.RESOURCE, earlier + "\n").writeTo(plugins.resolve("earlier.jar"));
        assertThat(fetch(loadWithoutWarnings(plugins), "earlier-minor")).isEqualTo(1);
    }

    @Test
    void aPluginDirectoryWithABrokenJarIsSkipped() throws Exception {
        plugin("half-broken", "1").writeTo(plugins.resolve("half-broken/plugin.jar"));
        Files.writeString(plugins.resolve("half-broken/lib.jar"), "garbage");
        Files.createDirectories(plugins.resolve("empty"));
        List<String> warnings = new ArrayList<>();
        ScalerRegistry registry = ScalerRegistry.load(plugins, warnings::add);
        assertThat(registry.types()).doesNotContain("half-broken");
        assertThat(warnings).containsExactly(
                "plugin directory " + plugins.resolve("empty") + " skipped: it holds no jar",
                "plugin directory " + plugins.resolve("half-broken") + " skipped: lib.jar is not a readable jar"
                        + " (zip END header not found)");
    }

    @Test
    void aPluginRecordsTheSpiVersionItWasCompiledAgainstWithoutALineInItsBuild() throws Exception {
        Path jar = plugin("recorded", "1").writeTo(plugins.resolve("recorded.jar"));
        try (JarFile built = new JarFile(jar.toFile())) {
            assertThat(new String(built.getInputStream(built.getEntry(SpiVersion.RESOURCE)).readAllBytes(),
                    StandardCharsets.UTF_8).trim()).isEqualTo(SpiVersion.CURRENT);
        }
    }

    @Test
    void aPluginOfAnotherSpiIsRefusedBeforeAnyOfItsCodeRuns() throws Exception {
        plugin("next-major", "1").resource(SpiVersion.RESOURCE, "2.0\n").writeTo(plugins.resolve("next-major.jar"));
        plugin("later-minor", "1").resource(SpiVersion.RESOURCE, "1.99\n").writeTo(plugins.resolve("later-minor.jar"));
        plugin("unversioned", "1").withoutProcessors().writeTo(plugins.resolve("unversioned.jar"));
        List<String> warnings = new ArrayList<>();
        ScalerRegistry registry = ScalerRegistry.load(plugins, warnings::add);
        assertThat(registry.types()).doesNotContain("next-major", "later-minor", "unversioned");
        assertThat(warnings).containsExactly(
                "plugin jar " + plugins.resolve("later-minor.jar") + " skipped: it was built against SPI 1.99 and this"
                        + " adapter's SPI is " + SpiVersion.CURRENT + " (a plugin runs on the SPI version it was built"
                        + " against or a later minor of it)",
                "plugin jar " + plugins.resolve("next-major.jar") + " skipped: it was built against SPI 2.0 and this"
                        + " adapter's SPI is " + SpiVersion.CURRENT + " (a plugin runs on the SPI version it was built"
                        + " against or a later minor of it)",
                "plugin jar " + plugins.resolve("unversioned.jar") + " skipped: it records no SPI version ("
                        + SpiVersion.RESOURCE + "): it was built before SPI versions, or javac ran no annotation"
                        + " processor (on JDK 23 and later, compile with -proc:full); rebuild it against"
                        + " demand-scaler-spi " + SpiVersion.CURRENT);
        for (String refused : List.of("next-major", "later-minor", "unversioned")) {
            assertThat(System.getProperty("plugin.loaded." + refused)).as("%s's class initializer ran", refused).isNull();
        }
    }

    @Test
    void withPinsOnlyTheListedJarsWithTheirDigestsLoad() throws Exception {
        Path pinned = plugin("pinned", "1").writeTo(plugins.resolve("pinned.jar"));
        Path changed = plugin("changed", "1").writeTo(plugins.resolve("changed.jar"));
        plugin("unlisted", "1").writeTo(plugins.resolve("unlisted.jar"));
        Path lib = new PluginJars().source("com.example.lib.Greeting", """
                package com.example.lib;
                public final class Greeting {
                    public static double version() { return 3; }
                }
                """).writeTo(build.resolve("lib.jar"));
        plugin("dir-plugin", "com.example.lib.Greeting.version()", lib).writeTo(plugins.resolve("dir-plugin/plugin.jar"));
        Files.copy(lib, plugins.resolve("dir-plugin/lib.jar"));
        String changedDigest = sha256(changed);
        Path pins = build.resolve("plugins.sha256");
        Files.writeString(pins, """
                # reviewed 2026-12-04
                %s  pinned.jar
                %s *./changed.jar
                %s  dir-plugin/plugin.jar
                """.formatted(sha256(pinned).toUpperCase(), changedDigest,
                sha256(plugins.resolve("dir-plugin/plugin.jar"))));
        plugin("changed", "2").writeTo(changed); // replaced after the review
        List<String> warnings = new ArrayList<>();
        ScalerRegistry registry = ScalerRegistry.load(plugins, PluginPins.read(pins), warnings::add);
        assertThat(registry.types()).contains("pinned").doesNotContain("changed", "unlisted", "dir-plugin");
        assertThat(registry.pluginsLoaded()).isEqualTo(1);
        assertThat(registry.pluginsRefused()).isEqualTo(3);
        assertThat(warnings).containsExactly(
                "plugin jar " + plugins.resolve("changed.jar") + " refused: changed.jar has SHA-256 " + sha256(changed)
                        + ", not the " + changedDigest + " --plugin-pins " + pins + " lists for it",
                "plugin directory " + plugins.resolve("dir-plugin") + " refused: dir-plugin/lib.jar has SHA-256 "
                        + sha256(plugins.resolve("dir-plugin/lib.jar")) + ", which --plugin-pins " + pins
                        + " does not list",
                "plugin jar " + plugins.resolve("unlisted.jar") + " refused: unlisted.jar has SHA-256 "
                        + sha256(plugins.resolve("unlisted.jar")) + ", which --plugin-pins " + pins + " does not list");
    }

    @Test
    void aMalformedPinsFileStopsStartupNamingEveryBadLine() throws Exception {
        Path pins = build.resolve("plugins.sha256");
        Files.writeString(pins, "abc  x.jar\n" + "0".repeat(64) + "  y.jar\n" + "1".repeat(64) + "  y.jar\n");
        assertThatThrownBy(() -> PluginPins.read(pins)).isInstanceOf(RegistryException.class).hasMessage(
                "--plugin-pins " + pins + ": line 1: \"abc  x.jar\" is not \"<SHA-256 in hex>  <jar path>\""
                        + " (sha256sum's format); line 3: \"y.jar\" is listed twice with different digests");
    }

    @Test
    void aPinsFileOfManyBadLinesIsReportedAsTheConfigIsTheFirstHundredAndACount() throws Exception {
        Path pins = build.resolve("plugins.sha256");
        Files.writeString(pins, "not a pin\n".repeat(150));
        String message = catchThrowable(() -> PluginPins.read(pins)).getMessage();
        assertThat(message.split("; ")).hasSize(101).endsWith("... and 50 more problems");
        assertThat(message).contains("line 100: \"not a pin\"").doesNotContain("line 101:");
    }

    /** A plugin of {@code type} whose scaler serves one sample of {@code valueExpression}. */
    private static PluginJars plugin(String type, String valueExpression, Path... libraries) {
        String pkg = "com.example." + type.replace('-', '_');
        PluginJars jars = new PluginJars().source(pkg + ".Provider", """
                package %s;
                import io.demandmetrics.scaler.spi.*;
                import io.vertx.core.Future;
                import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.spi.SpiVersion;
import io.demandmetrics.scaler.testkit.TestScalerContext;
import io.vertx.core.Vertx;
                import java.util.Map;
                public final class Provider implements ScalerProvider<Object> {
                    static { System.setProperty("plugin.loaded.%s", "yes"); }
                    public String type() { return "%s"; }
                    public Object parseConfig(Map<String, Object> parameters) { return parameters; }
                    public Scaler createScaler(Object config, ScalerContext context) {
                        return () -> Future.succeededFuture(List.of(Sample.of(%s)));
                    }
                }
                """.formatted(pkg, type, type, valueExpression)).provider(pkg + ".Provider");
        for (Path library : libraries) {
            jars.against(library);
        }
        return jars;
    }

    /** Loads the registry; a warning (a plugin skipped) fails the test with its text. */
    private static ScalerRegistry loadWithoutWarnings(Path pluginDir) throws RegistryException {
        return ScalerRegistry.load(pluginDir, warning -> {
            throw new AssertionError(warning);
        });
    }

    private static double fetch(ScalerRegistry registry, String type) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            ScalerProvider<Object> provider = registry.provider(type).orElseThrow();
            Scaler scaler = provider.createScaler(provider.parseConfig(Map.of()),
                    new TestScalerContext(vertx, type, "default/" + type));
            return scaler.fetch().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).get(0).value();
        } finally {
            vertx.close().await();
        }
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(file)));
    }

    private static void jar(Path file, String services) throws Exception {
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(file))) {
            jar.putNextEntry(new JarEntry(SpiVersion.RESOURCE));
            jar.write(SpiVersion.CURRENT.getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
            jar.putNextEntry(new JarEntry(services == null ? "README" : "META-INF/services/"
                    + "io.demandmetrics.scaler.spi.ScalerProvider"));
            jar.write((services == null ? "nothing" : services).getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
    }
}
