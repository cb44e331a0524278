package io.demandmetrics.testfixtures;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Headless Chromium (the Debian package, which bin/test installs) for tests that look at a page
 * as a person would: the DOM after rendering, and a screenshot.
 */
public final class HeadlessChromium {

    private final Path dir;

    /** @param dir where its profile and log go (a test's temporary directory) */
    public HeadlessChromium(Path dir) {
        this.dir = dir;
    }

    /** The rendered DOM of {@code url} (a file: or https: URL; the adapter's self-signed certificate is accepted). */
    public String dom(String url) throws IOException, InterruptedException {
        return run("--dump-dom", url);
    }

    /** A screenshot of {@code url}, {@code width} by {@code height}. */
    public BufferedImage screenshot(String url, int width, int height) throws IOException, InterruptedException {
        Path shot = Files.createTempFile(dir, "shot", ".png");
        run("--screenshot=" + shot, "--window-size=" + width + "," + height, url);
        return ImageIO.read(shot.toFile());
    }

    /** How many pixels of {@code image} have exactly the colour {@code rgb}. */
    public static int pixels(BufferedImage image, int rgb) {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    count++;
                }
            }
        }
        return count;
    }

    private String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--ignore-certificate-errors",
                "--user-data-dir=" + dir.resolve("chromium-profile")));
        command.addAll(List.of(args));
        Path log = dir.resolve("chromium.log");
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("chromium did not finish within 120 s");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("chromium exited " + process.exitValue() + ": " + Files.readString(log));
        }
        return out;
    }
}
