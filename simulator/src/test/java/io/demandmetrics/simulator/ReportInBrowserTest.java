package io.demandmetrics.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report as a person sees it: opened in headless Chromium (the Debian package, which
 * bin/test installs), its rendered summary table read back and compared with the summary the
 * command printed, and a screenshot taken that must show the charts' lines.
 */
class ReportInBrowserTest {

    @TempDir
    Path dir;

    @Test
    void theRenderedPageShowsThePrintedNumbersAndTheCharts() throws Exception {
        Path trace = Files.writeString(dir.resolve("spike.csv"), "seconds,rps\n0,1000\n299,1000\n300,4000\n"
                + "600,4000\n601,1000\n1200,1000\n");
        SimulateCommandTest.Run run = SimulateCommandTest.simulate("--hpa",
                SimulateCommandTest.hpa(dir, "cpu-70", SimulateCommandTest.CPU_70).toString(), "--hpa",
                SimulateCommandTest.hpa(dir, "rps", SimulateCommandTest.RPS_500).toString(), "--trace",
                trace.toString(), "--out", dir.resolve("report").toString());
        assertThat(run.code()).as(run.err()).isZero();
        Map<String, List<String>> printed = new LinkedHashMap<>();
        for (String line : run.out().lines().toList()) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 5 && (fields[0].equals("cpu-70") || fields[0].equals("rps"))) {
                printed.put(fields[0], List.of(fields[1], fields[2], fields[3], fields[4]));
            }
        }
        assertThat(printed).containsOnlyKeys("cpu-70", "rps");

        Path page = dir.resolve("report/report.html");
        String dom = chromium("--dump-dom", page.toUri().toString());
        Pattern row = Pattern.compile("<tr data-hpa=\"([^\"]+)\"><td class=\"name\">[^<]*</td><td class=\"slo\">([^<]+)"
                + "</td><td class=\"pods\">([^<]+)</td><td class=\"max\">([^<]+)</td><td class=\"events\">([^<]+)</td>");
        Map<String, List<String>> shown = new LinkedHashMap<>();
        Matcher matcher = row.matcher(dom);
        while (matcher.find()) {
            shown.put(matcher.group(1), List.of(matcher.group(2), matcher.group(3), matcher.group(4),
                    matcher.group(5)));
        }
        assertThat(shown).isEqualTo(printed);
        assertThat(dom).contains("<h2>cpu-70</h2>", "<h2>rps</h2>");

        Path shot = dir.resolve("shot.png");
        chromium("--screenshot=" + shot, "--window-size=1200,2400", page.toUri().toString());
        BufferedImage image = ImageIO.read(shot.toFile());
        assertThat(image.getHeight()).isEqualTo(2400);
        // The demand line's blue and the capacity lines' red, drawn into the embedded chart images.
        assertThat(pixels(image, 0x1f77b4)).as("blue pixels").isGreaterThan(500);
        assertThat(pixels(image, 0xd62728)).as("red pixels").isGreaterThan(500);
    }

    private static int pixels(BufferedImage image, int rgb) {
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

    /** Runs headless Chromium with {@code args}; its standard output. */
    private String chromium(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + dir.resolve("profile")));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(dir.resolve("chromium.log").toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(process.exitValue()).as(Files.readString(dir.resolve("chromium.log"))).isZero();
        return out;
    }
}
