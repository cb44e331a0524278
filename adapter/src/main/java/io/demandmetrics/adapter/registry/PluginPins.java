package io.demandmetrics.adapter.registry;

import io.demandmetrics.adapter.failure.ProblemList;
import io.demandmetrics.scaler.support.BoundedQuote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The plugin jars the adapter may load, each by its SHA-256 ({@code --plugin-pins FILE}). A
 * plugin runs inside the adapter with the adapter's credentials (it may read pods and ask for
 * TokenReviews and SubjectAccessReviews), so whoever can put a jar in the plugin directory can
 * run code as the adapter; with pins, only the jars someone reviewed and listed can. The file
 * is in {@code sha256sum}'s format, so in the plugin directory {@code sha256sum *.jar} (and
 * {@code sha256sum orders-lag/*.jar} for a plugin that is a directory) writes it: one line per
 * jar, {@code <64 hex digits>  <path relative to the plugin directory>}; blank lines and
 * {@code #} comments are ignored.
 *
 * <p>A jar not listed, or listed with another digest, is refused with its own digest in the
 * message, so a reviewer can check it and add the line.
 */
public final class PluginPins {

    private static final Pattern LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](.+)");
    /** More than any real list of plugins; a pins file is read whole at startup. */
    private static final long MAX_FILE_BYTES = 1 << 20;

    private final Path file;
    private final Map<String, String> digestByJar;

    private PluginPins(Path file, Map<String, String> digestByJar) {
        this.file = file;
        this.digestByJar = digestByJar;
    }

    /**
     * Reads a pins file.
     *
     * @throws RegistryException naming every malformed line, or why the file cannot be read
     */
    public static PluginPins read(Path file) throws RegistryException {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new RegistryException("--plugin-pins " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RegistryException("cannot read --plugin-pins " + file + ": " + e.getMessage());
        }
        Map<String, String> digests = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher pin = LINE.matcher(line);
            if (!pin.matches()) {
                problems.add("line " + (i + 1) + ": " + BoundedQuote.quote(line)
                        + " is not \"<SHA-256 in hex>  <jar path>\" (sha256sum's format)");
                continue;
            }
            String jar = normalized(pin.group(2));
            String digest = pin.group(1).toLowerCase(Locale.ROOT);
            String before = digests.put(jar, digest);
            if (before != null && !before.equals(digest)) {
                problems.add("line " + (i + 1) + ": " + BoundedQuote.quote(jar)
                        + " is listed twice with different digests");
            }
        }
        if (!problems.isEmpty()) {
            throw new RegistryException("--plugin-pins " + file + ": "
                    + String.join("; ", ProblemList.bounded(problems)));
        }
        return new PluginPins(file, Map.copyOf(digests));
    }

    /**
     * Why {@code jar} may not be loaded, or null when it is listed with its digest.
     *
     * @param relative the jar's path relative to the plugin directory, as the pins name it
     * @param digest the SHA-256 of the bytes that will be loaded, in lower-case hex
     */
    String refusal(String relative, String digest) {
        String pinned = digestByJar.get(normalized(relative));
        if (pinned == null) {
            return relative + " has SHA-256 " + digest + ", which --plugin-pins " + file + " does not list";
        }
        if (!pinned.equals(digest)) {
            return relative + " has SHA-256 " + digest + ", not the " + pinned + " --plugin-pins " + file
                    + " lists for it";
        }
        return null;
    }

    private static String normalized(String path) {
        String slashes = path.replace('\\', '/');
        return slashes.startsWith("./") ? slashes.substring(2) : slashes;
    }
}
