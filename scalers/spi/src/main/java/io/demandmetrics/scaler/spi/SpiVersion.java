package io.demandmetrics.scaler.spi;

/**
 * The version of this SPI, {@code MAJOR.MINOR}, recorded in every plugin compiled against it
 * and checked by the adapter when it loads the plugin.
 *
 * <p>A plugin loads on an adapter whose SPI has the same major version and the same or a later
 * minor. So a minor version only adds: new types, new default methods on the interfaces, new
 * constants; nothing is removed, renamed, or given another meaning, and a method a plugin
 * implements gets no new abstract sibling. Anything else is a new major version, and every
 * plugin is rebuilt for it. (KEDA keeps its external scalers' gRPC protocol by the same rule.)
 *
 * <p>History: 1.0, the first versioned SPI; 1.1 added {@link ScalerContext#shared}.
 *
 * <p>Recording is automatic: the SPI's jar carries an annotation processor
 * ({@link io.demandmetrics.scaler.spi.build.SpiVersionRecorder}) that {@code javac} runs when
 * it compiles against the SPI, and that writes {@value #RESOURCE} into the plugin's classes.
 * From JDK 23, {@code javac} runs processors found on the class path only when asked: add
 * {@code -proc:full} (README, "Writing a scaler", has the Maven lines).
 */
public final class SpiVersion {

    /** This SPI's version. */
    public static final String CURRENT = "1.1";

    /** Where a plugin's jar records the SPI version it was compiled against. */
    public static final String RESOURCE = "META-INF/io.demandmetrics.scaler.spi.version";

    private SpiVersion() {
    }
}
