package io.demandmetrics.adapter.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.testkit.TestScalerContext;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ScalerRegistry#reload}: what a change of the plugin directory loads, keeps, refuses and retires. */
class RegistryReloadTest {

    @TempDir
    Path plugins;
    @TempDir
    Path build;
    private final Vertx vertx = Vertx.vertx();
    private final List<String> warnings = new ArrayList<>();

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    @Test
    void nothingChangedLoadsNothing() throws Exception {
        put("a.jar", plugin("a", 1));
        ScalerRegistry first = ScalerRegistry.load(plugins, warnings::add);
        ScalerRegistry next = first.reload(plugins, null, warnings::add);
        assertThat(first.samePluginsAs(next)).isTrue();
        assertThat(warnings).isEmpty();
    }

    @Test
    void aChangedPluginIsLoadedAfreshAndTheOthersKeepTheirVersion() throws Exception {
        put("a.jar", plugin("a", 1));
        put("b.jar", plugin("b", 1));
        ScalerRegistry first = ScalerRegistry.load(plugins, warnings::add);
        Plugin a = version(first, "a.jar");
        Plugin b = version(first, "b.jar");
        Scaler open = scaler(first, "b"); // b's version 1 has a scaler open
        put("b.jar", plugin("b", 2));
        ScalerRegistry next = first.reload(plugins, null, warnings::add);
        assertThat(version(next, "a.jar")).isSameAs(a);
        assertThat(version(next, "b.jar")).isNotSameAs(b);
        assertThat(fetch(next, "b")).isEqualTo(2);

        List<ClassLoader> unloaded = new ArrayList<>();
        assertThat(first.retireReplacedBy(next, unloaded::add)).containsExactly(b);
        assertThat(b.unloaded()).as("unloaded while its scaler is open").isFalse();
        open.close().await();
        assertThat(b.unloaded()).isTrue();
        assertThat(unloaded).containsExactly(b.loader());
        assertThat(a.unloaded()).isFalse();
        assertThat(warnings).isEmpty();
    }

    @Test
    void aNewVersionThatCannotBeLoadedKeepsTheRunningOne() throws Exception {
        put("b.jar", plugin("b", 1));
        ScalerRegistry first = ScalerRegistry.load(plugins, warnings::add);
        Plugin b = version(first, "b.jar");
        Path garbage = build.resolve("garbage.jar");
        Files.writeString(garbage, "garbage");
        put("b.jar", garbage);
        ScalerRegistry next = first.reload(plugins, null, warnings::add);
        assertThat(version(next, "b.jar")).isSameAs(b);
        assertThat(first.samePluginsAs(next)).isTrue();
        assertThat(next.refusals()).extracting(ScalerRegistry.Refusal::reason).containsExactly("unreadable");
        assertThat(warnings).singleElement().asString().startsWith("plugin jar " + plugins.resolve("b.jar")
                + " skipped: not a readable jar").endsWith("; the version loaded before (SHA-256 "
                + b.digest().substring(0, 12) + ") keeps serving");
    }

    @Test
    void aNewPluginDeclaringATypeAlreadyServedIsRefused() throws Exception {
        put("a.jar", plugin("a", 1));
        ScalerRegistry first = ScalerRegistry.load(plugins, warnings::add);
        put("a-again.jar", plugin("a", 7));
        put("cron.jar", plugin("cron", 7)); // a built-in type
        ScalerRegistry next = first.reload(plugins, null, warnings::add);
        assertThat(next.plugins()).containsExactly(version(first, "a.jar"));
        assertThat(fetch(next, "a")).isEqualTo(1);
        assertThat(next.refusals()).extracting(ScalerRegistry.Refusal::reason)
                .containsExactly("type_conflict", "type_conflict");
        assertThat(warnings).containsExactlyInAnyOrder(
                "plugin jar " + plugins.resolve("a-again.jar") + " skipped: scaler type \"a\" is already provided by"
                        + " another plugin or built in",
                "plugin jar " + plugins.resolve("cron.jar") + " skipped: scaler type \"cron\" is already provided by"
                        + " another plugin or built in");
    }

    @Test
    void aRemovedPluginIsLeftOutAndAnAbandonedReloadClosesOnlyWhatItLoaded() throws Exception {
        put("a.jar", plugin("a", 1));
        put("b.jar", plugin("b", 1));
        ScalerRegistry first = ScalerRegistry.load(plugins, warnings::add);
        Files.delete(plugins.resolve("b.jar"));
        put("c.jar", plugin("c", 1));
        ScalerRegistry next = first.reload(plugins, null, warnings::add);
        assertThat(next.types()).contains("a", "c").doesNotContain("b");
        Plugin c = version(next, "c.jar");
        first.abandon(next); // the config could not be applied with it
        assertThat(c.unloaded()).isTrue();
        assertThat(version(first, "a.jar").unloaded()).isFalse();
        assertThat(version(first, "b.jar").unloaded()).isFalse();
    }

    private Path plugin(String type, int value) {
        String pkg = "com.example.r" + value + "." + type.replace('-', '_');
        return new PluginJars().source(pkg + ".Provider", """
                package %s;
                import io.demandmetrics.scaler.spi.*;
                import io.vertx.core.Future;
                import java.util.List;
                import java.util.Map;
                public final class Provider implements ScalerProvider<Object> {
                    public String type() { return "%s"; }
                    public Object parseConfig(Map<String, Object> parameters) { return parameters; }
                    public Scaler createScaler(Object config, ScalerContext context) {
                        return () -> Future.succeededFuture(List.of(Sample.of(%d)));
                    }
                }
                """.formatted(pkg, type, value)).provider(pkg + ".Provider")
                .writeTo(build.resolve(type + "-" + value + ".jar"));
    }

    private void put(String name, Path jar) throws Exception {
        Path next = plugins.resolve(name + ".next");
        Files.copy(jar, next, StandardCopyOption.REPLACE_EXISTING);
        Files.move(next, plugins.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private Plugin version(ScalerRegistry registry, String entry) {
        return registry.plugins().stream().filter(p -> p.entry().equals(plugins.resolve(entry))).findFirst()
                .orElseThrow(() -> new AssertionError("no plugin " + entry + " in " + registry.plugins()));
    }

    private Scaler scaler(ScalerRegistry registry, String type) throws Exception {
        ScalerProvider<Object> provider = registry.provider(type).orElseThrow();
        return provider.createScaler(provider.parseConfig(Map.of()), new TestScalerContext(vertx, type, "t/" + type));
    }

    private double fetch(ScalerRegistry registry, String type) throws Exception {
        return scaler(registry, type).fetch().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                .get(0).value();
    }
}
