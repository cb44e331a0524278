package io.demandmetrics.adapter.registry;

import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A plugin's provider as the adapter holds it: the plugin's own, with each scaler it creates
 * counted on the {@link Plugin} until it is closed, so a replaced plugin's class loader is closed
 * exactly when its last scaler is. Everything else passes through unchanged.
 */
final class CountedProvider implements ScalerProvider<Object> {

    private final ScalerProvider<Object> provider;
    private final Plugin plugin;

    CountedProvider(ScalerProvider<Object> provider, Plugin plugin) {
        this.provider = provider;
        this.plugin = plugin;
    }

    /** The plugin's own provider. */
    ScalerProvider<Object> provider() {
        return provider;
    }

    @Override
    public String type() {
        return provider.type();
    }

    @Override
    public Object parseConfig(Map<String, Object> parameters) throws InvalidConfigException {
        return provider.parseConfig(parameters);
    }

    @Override
    public Scaler createScaler(Object config, ScalerContext context) {
        Scaler scaler = provider.createScaler(config, context);
        if (scaler == null) {
            return null; // the store refuses it, naming the provider
        }
        plugin.scalerOpened();
        return new Counted(scaler, plugin);
    }

    @Override
    public String source(Object config, String namespace) {
        return provider.source(config, namespace);
    }

    @Override
    public String sharedPolling(Object config, String namespace) {
        return provider.sharedPolling(config, namespace);
    }

    @Override
    public List<Sample> combine(Object config, List<Sample> matched, boolean narrowed) {
        return provider.combine(config, matched, narrowed);
    }

    /** A plugin's scaler, released on the plugin once closed. */
    private static final class Counted implements Scaler {

        private final Scaler scaler;
        private final Plugin plugin;
        private final AtomicBoolean closed = new AtomicBoolean();

        Counted(Scaler scaler, Plugin plugin) {
            this.scaler = scaler;
            this.plugin = plugin;
        }

        @Override
        public Future<List<Sample>> fetch() {
            return scaler.fetch();
        }

        @Override
        public Duration warmUp() {
            return scaler.warmUp();
        }

        @Override
        public Future<Void> close() {
            Future<Void> closing;
            try {
                closing = scaler.close();
            } catch (RuntimeException e) {
                closing = Future.failedFuture(e);
            }
            if (closing == null) {
                closing = Future.succeededFuture();
            }
            // Released when its close has finished (its classes may run until then), failed or not.
            return closing.andThen(ignored -> {
                if (closed.compareAndSet(false, true)) {
                    plugin.scalerClosed();
                }
            });
        }
    }
}
