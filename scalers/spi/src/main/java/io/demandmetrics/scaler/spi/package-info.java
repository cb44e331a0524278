/**
 * The scaler plugin SPI: the only API a scaler, built in or a team's, depends on.
 *
 * <p>A scaler is found by {@link java.util.ServiceLoader}: a jar lists its
 * {@link io.demandmetrics.scaler.spi.ScalerProvider} implementations in
 * {@code META-INF/services/io.demandmetrics.scaler.spi.ScalerProvider}. The adapter
 * parses each configured metric's parameters once with
 * {@link io.demandmetrics.scaler.spi.ScalerProvider#parseConfig}, creates one
 * {@link io.demandmetrics.scaler.spi.Scaler} per metric, and calls
 * {@link io.demandmetrics.scaler.spi.Scaler#fetch()} on the metric's poll interval.
 * Requests from the HPA are answered from the adapter's memory and never wait on a source.
 *
 * <h2>Threading</h2>
 * {@code parseConfig} runs on the main thread at startup and on a worker on reloads.
 * {@code createScaler}, {@code fetch} and {@code close} run on the adapter's polling event
 * loop, and {@code combine} on the event loops that answer requests, several at once. None
 * of those may block its event loop:
 * no {@code Future.get()}, {@code join()}, {@code Thread.sleep}, blocking socket or file I/O.
 * Use an asynchronous client ({@code Future.fromCompletionStage(...)}), or run blocking
 * calls on {@link io.demandmetrics.scaler.spi.ScalerContext#blockingExecutor()}, a
 * worker pool named after the scaler type so one slow backend cannot starve others.
 *
 * <h2>Timeouts, caching, errors</h2>
 * The adapter applies the metric's poll timeout, keeps the last good value, serves it
 * until it is older than the metric's {@code maxAge}, and turns failures into
 * {@code 503} Status answers naming the metric and the last error. A scaler therefore
 * neither caches nor retries: it fails the returned future with an exception whose
 * message says what went wrong, without secrets.
 *
 * <h2>What the contract exposes, and why</h2>
 * This package, and three libraries' types that its methods take and return: Vert.x's
 * {@code Future}, {@code Vertx} and {@code WorkerExecutor}, and Micrometer's
 * {@code MeterRegistry}. The adapter gives a plugin these classes (its own copies of them would be
 * other classes with the same names) and nothing else of its class path.
 * <ul>
 * <li><b>Vert.x rather than {@code CompletionStage}.</b> A scaler's work is the event loop's:
 *     its timers, its asynchronous clients, the worker pool for what blocks. A Vert.x future
 *     runs its callbacks on the scaler's event loop; a {@code CompletionStage} runs them on
 *     whatever thread completed it, so every scaler would have to hop back by hand, and it would
 *     still need a {@code Vertx} for timers and clients: the contract would expose Vert.x anyway,
 *     with a conversion at every call. An asynchronous JDK or AWS client is one
 *     {@code Future.fromCompletionStage(...)} away.</li>
 * <li><b>Micrometer's registry rather than a facade of ours.</b> Meters a scaler registers are
 *     served at {@code /metrics} beside the adapter's; a facade would copy Micrometer's counters,
 *     gauges, timers and their tags, and would itself become a contract to keep.</li>
 * <li><b>The price, and how it is paid.</b> A plugin is compiled against the adapter's major
 *     versions of those libraries (Vert.x 5, Micrometer 1), which change their APIs incompatibly
 *     only between majors. An adapter that moves to another major of either raises this SPI's
 *     major version ({@link io.demandmetrics.scaler.spi.SpiVersion}), so a plugin built
 *     before is refused at load with both versions named, not broken by a
 *     {@code LinkageError} in a poll.</li>
 * <li><b>Helpers are not the contract.</b> Parameter parsing with the house messages, durations,
 *     shared clients, client TLS and bounded quoting are in {@code demand-scaler-support}, which a
 *     plugin carries in its plugin directory like any library, so they can change without a new
 *     SPI version. The built-in scalers use this package and that artifact exactly as a team's
 *     plugin does.</li>
 * </ul>
 */
package io.demandmetrics.scaler.spi;
