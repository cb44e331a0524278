package io.demandmetrics.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.testfixtures.HeadlessChromium;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        HeadlessChromium chromium = new HeadlessChromium(dir);
        String dom = chromium.dom(page.toUri().toString());
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

        BufferedImage image = chromium.screenshot(page.toUri().toString(), 1200, 2400);
        assertThat(image.getHeight()).isEqualTo(2400);
        // The demand line's blue and the capacity lines' red, drawn into the embedded chart images.
        assertThat(HeadlessChromium.pixels(image, 0x1f77b4)).as("blue pixels").isGreaterThan(500);
        assertThat(HeadlessChromium.pixels(image, 0xd62728)).as("red pixels").isGreaterThan(500);
    }
}
