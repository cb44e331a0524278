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
 */
package io.demandmetrics.scaler.spi;
