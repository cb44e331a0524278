package io.demandmetrics.adapter.registry;

import io.demandmetrics.scaler.spi.SpiVersion;
import io.demandmetrics.scaler.support.BoundedQuote;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a plugin built against one SPI version runs on this adapter's: the same major
 * version, and a minor no later than the adapter's ({@link SpiVersion} says why that is the
 * rule). Checked when a plugin is loaded, before any of its code runs, so an incompatible
 * plugin is refused with its reason instead of failing later with a {@code LinkageError}.
 */
final class SpiCompatibility {

    private static final Pattern VERSION = Pattern.compile("(\\d{1,4})\\.(\\d{1,4})");

    private SpiCompatibility() {
    }

    /**
     * @param recorded the versions the plugin's jars record (one per jar compiled against the SPI)
     * @param adapter the adapter's SPI version
     * @return why the plugin cannot run on {@code adapter}, or null when it can
     */
    static String problem(List<String> recorded, String adapter) {
        if (recorded.isEmpty()) {
            return "it records no SPI version (" + SpiVersion.RESOURCE + "): it was built before SPI versions,"
                    + " or javac ran no annotation processor (on JDK 23 and later, compile with -proc:full);"
                    + " rebuild it against demand-scaler-spi " + adapter;
        }
        Matcher ours = VERSION.matcher(adapter);
        if (!ours.matches()) {
            throw new IllegalStateException("the adapter's SPI version \"" + adapter + "\" is not MAJOR.MINOR");
        }
        for (String version : recorded) {
            Matcher theirs = VERSION.matcher(version);
            if (!theirs.matches()) {
                return "its SPI version " + BoundedQuote.quote(version) + " is not MAJOR.MINOR";
            }
            boolean sameMajor = Integer.parseInt(theirs.group(1)) == Integer.parseInt(ours.group(1));
            if (!sameMajor || Integer.parseInt(theirs.group(2)) > Integer.parseInt(ours.group(2))) {
                return "it was built against SPI " + version + " and this adapter's SPI is " + adapter
                        + " (a plugin runs on the SPI version it was built against or a later minor of it)";
            }
        }
        return null;
    }
}
