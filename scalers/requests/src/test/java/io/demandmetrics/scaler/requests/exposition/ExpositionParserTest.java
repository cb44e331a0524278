package io.demandmetrics.scaler.requests.exposition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hand-written expositions and what each must yield: the samples asked for, exactly, or the
 * error that names the line. The expected columns are written out, not computed.
 */
class ExpositionParserTest {

    private static final ExpositionParser PARSER = new ExpositionParser(Set.of(
            "http_requests_total", "http_request_duration_seconds_bucket", "http_request_duration_seconds_count",
            "up"));

    private static ExpositionParser.Exposition parse(String text, Format format) throws ExpositionException {
        return PARSER.parse(text.getBytes(StandardCharsets.UTF_8), format);
    }

    private static ScrapedSample sample(String name, double value, String... labels) {
        return new ScrapedSample(name, Labels.of(labels), value);
    }

    static Stream<Arguments> texts() {
        return Stream.of(
                Arguments.of("labels, a trailing comma, blanks and tabs, a timestamp", """
                        # HELP http_requests_total Requests served.
                        # TYPE http_requests_total counter
                        http_requests_total{code="200",method="GET",} 1027 1395066363000
                        http_requests_total{ code = "500" , method="GET" }\t3
                        """, List.of(
                        sample("http_requests_total", 1027, "code", "200", "method", "GET"),
                        sample("http_requests_total", 3, "code", "500", "method", "GET")), "counter"),
                Arguments.of("escapes in label values, and UTF-8", """
                        http_requests_total{path="C:\\\\dir\\"x\\"\\nnext",city="Zürich"} 1.5e3
                        """, List.of(
                        sample("http_requests_total", 1500, "path", "C:\\dir\"x\"\nnext", "city", "Zürich")), null),
                Arguments.of("NaN and infinities, in Go's spellings", """
                        http_requests_total{a="1"} NaN
                        http_requests_total{a="2"} +Inf
                        http_requests_total{a="3"} -Inf
                        http_requests_total{a="4"} Inf
                        up -0.5
                        """, List.of(
                        sample("http_requests_total", Double.NaN, "a", "1"),
                        sample("http_requests_total", Double.POSITIVE_INFINITY, "a", "2"),
                        sample("http_requests_total", Double.NEGATIVE_INFINITY, "a", "3"),
                        sample("http_requests_total", Double.POSITIVE_INFINITY, "a", "4"),
                        sample("up", -0.5)), null),
                Arguments.of("other families skipped after their name, however odd the rest", """
                        # A comment that is not HELP or TYPE
                        go_goroutines 12
                        process_weird{x="unterminated} ???
                        http_requests_total_extra 5

                        up 1
                        """, List.of(sample("up", 1)), null),
                Arguments.of("a histogram, without +Inf (judged by the quantile, not the parser), CRLF lines", ""
                        + "# TYPE http_request_duration_seconds histogram\r\n"
                        + "http_request_duration_seconds_bucket{le=\"0.1\"} 5\r\n"
                        + "http_request_duration_seconds_bucket{le=\"0.5\"} 3\r\n"
                        + "http_request_duration_seconds_sum 1.5\r\n"
                        + "http_request_duration_seconds_count 8\r\n", List.of(
                        sample("http_request_duration_seconds_bucket", 5, "le", "0.1"),
                        sample("http_request_duration_seconds_bucket", 3, "le", "0.5"),
                        sample("http_request_duration_seconds_count", 8)), null),
                Arguments.of("no newline after the last line", "up 1", List.of(sample("up", 1)), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("texts")
    void textFormat(String what, String exposition, List<ScrapedSample> expected, String requestsType)
            throws ExpositionException {
        ExpositionParser.Exposition parsed = parse(exposition, Format.TEXT);
        assertThat(parsed.samples()).containsExactlyElementsOf(expected);
        assertThat(parsed.type("http_requests_total")).isEqualTo(requestsType);
    }

    @Test
    void openMetrics() throws ExpositionException {
        ExpositionParser parser = new ExpositionParser(Set.of("http_requests_total", "http_requests_created",
                "http_request_duration_seconds_bucket"));
        ExpositionParser.Exposition parsed = parser.parse("""
                # TYPE http_requests counter
                # UNIT http_requests requests
                # HELP http_requests Requests served, with a "quote" and \\\\ in the help.
                http_requests_total{code="200"} 1027 1395066363.5
                http_requests_created{code="200"} 1395066000
                # TYPE http_request_duration_seconds histogram
                http_request_duration_seconds_bucket{le="0.1"} 5 # {trace_id="KOO5S4vxi0o"} 0.067
                http_request_duration_seconds_bucket{le="+Inf"} 8 1395066363 # {trace_id="oHg5SJYRHA0"} 9.8 1520879607.789
                # EOF
                """.getBytes(StandardCharsets.UTF_8), Format.OPENMETRICS);
        assertThat(parsed.samples()).containsExactly(
                sample("http_requests_total", 1027, "code", "200"),
                sample("http_requests_created", 1395066000, "code", "200"),
                sample("http_request_duration_seconds_bucket", 5, "le", "0.1"),
                sample("http_request_duration_seconds_bucket", 8, "le", "+Inf"));
        assertThat(parsed.type("http_requests")).isEqualTo("counter");
        assertThat(parsed.type("http_request_duration_seconds")).isEqualTo("histogram");
    }

    static Stream<Arguments> brokenTexts() {
        return Stream.of(
                Arguments.of("an HTML page", "<html><body>502 Bad Gateway</body></html>\n",
                        "line 1: expected a metric name or '#', found \"<html><body>502 Bad Gateway</body></html>\""),
                Arguments.of("a value that is not a number", "up 1\nup{a=\"b\"} one\n",
                        "line 2: value \"one\" is not a number"),
                Arguments.of("Java's float suffix", "up 1d\n", "line 1: value \"1d\" is not a number"),
                Arguments.of("a hex float", "up 0x1p3\n", "line 1: value \"0x1p3\" is not a number"),
                Arguments.of("no value", "up\n", "line 1: expected a blank before the value, found \"end of line\""),
                Arguments.of("an unclosed label value", "up{a=\"b} 1\n",
                        "line 1: the value of label a is not closed by '\"'"),
                Arguments.of("an escape the format does not have", "up{a=\"\\t\"} 1\n",
                        "line 1: invalid escape \\t in the value of label a (only \\\\, \\\" and \\n)"),
                Arguments.of("a label value that is not UTF-8", "up{a=\"\u00ff\"} 1\n",
                        "line 1: the value of label a is not valid UTF-8"),
                Arguments.of("a label name given twice", "up{a=\"1\",a=\"2\"} 1\n", "line 1: label a given twice"),
                Arguments.of("a series given twice", "up{a=\"1\"} 1\nup{a=\"1\"} 2\n",
                        "line 2: a second sample of up{a=\"1\"}"),
                Arguments.of("a label name that starts with a digit", "up{1a=\"1\"} 1\n",
                        "line 1: expected a label name, found \"1a=\"1\"} 1\""),
                Arguments.of("a timestamp that is not whole milliseconds", "up 1 1.5\n",
                        "line 1: timestamp \"1.5\" is not an integer of milliseconds"),
                Arguments.of("text after the timestamp", "up 1 1000 extra\n",
                        "line 1: unexpected \"extra\" after the value"),
                Arguments.of("a TYPE line after the family's samples", "up 1\n# TYPE up gauge\n",
                        "line 2: the TYPE line for up comes after its samples"),
                Arguments.of("a second TYPE line", "# TYPE up gauge\n# TYPE up gauge\n",
                        "line 2: a second TYPE line for up"),
                Arguments.of("an unknown type", "# TYPE up meter\n",
                        "line 1: unknown type \"meter\" for up; known: [counter, gauge, histogram, summary, untyped]"),
                Arguments.of("a line longer than the bound", "up{a=\"" + "x".repeat(ExpositionParser.MAX_LINE_BYTES) + "\"} 1\n",
                        "line 1: longer than 65536 bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenTexts")
    void brokenTextIsRejectedWholeNamingTheLine(String what, String exposition, String message) {
        byte[] bytes = exposition.getBytes(StandardCharsets.UTF_8);
        if (what.contains("not UTF-8")) {
            bytes = exposition.getBytes(StandardCharsets.ISO_8859_1); // a lone 0xff byte
        }
        byte[] body = bytes;
        assertThatThrownBy(() -> PARSER.parse(body, Format.TEXT))
                .isInstanceOf(ExpositionException.class).hasMessage(message);
    }

    static Stream<Arguments> brokenOpenMetrics() {
        return Stream.of(
                Arguments.of("no # EOF", "up 1\n", "line 1: the exposition ends without \"# EOF\""),
                Arguments.of("a last sample without # EOF", "up 1", "line 1: the exposition ends without \"# EOF\""),
                Arguments.of("content after # EOF", "up 1\n# EOF\nup 2\n", "line 3: content after \"# EOF\""),
                Arguments.of("an empty line", "up 1\n\n# EOF\n", "line 2: an empty line (OpenMetrics allows none)"),
                Arguments.of("two spaces", "up  1\n# EOF\n", "line 1: value \"\" is not a number"),
                Arguments.of("a free comment", "# hello\n# EOF\n",
                        "line 1: unknown comment \"hello\" (OpenMetrics allows only # HELP, # TYPE, # UNIT and # EOF)"),
                Arguments.of("an exemplar without labels", "up 1 # 0.5\n# EOF\n",
                        "line 1: expected the exemplar's labels, found \"0.5\""),
                Arguments.of("the text format's untyped",
                        "# TYPE up untyped\n# EOF\n",
                        "line 1: unknown type \"untyped\" for up; known: [counter, gauge, gaugehistogram, histogram,"
                                + " info, stateset, summary, unknown]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenOpenMetrics")
    void brokenOpenMetricsIsRejectedWholeNamingTheLine(String what, String exposition, String message) {
        assertThatThrownBy(() -> parse(exposition, Format.OPENMETRICS))
                .isInstanceOf(ExpositionException.class).hasMessage(message);
    }

    @Test
    void theFormatFollowsTheContentType() {
        assertThat(Format.ofContentType("application/openmetrics-text; version=1.0.0; charset=utf-8"))
                .isEqualTo(Format.OPENMETRICS);
        assertThat(Format.ofContentType("text/plain; version=0.0.4; charset=utf-8")).isEqualTo(Format.TEXT);
        assertThat(Format.ofContentType(null)).isEqualTo(Format.TEXT);
    }

    @Test
    void goFloatSpellings() {
        assertThat(ExpositionParser.parseFloat("1e-3")).isEqualTo(0.001);
        assertThat(ExpositionParser.parseFloat(".5")).isEqualTo(0.5);
        assertThat(ExpositionParser.parseFloat("-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(ExpositionParser.parseFloat("1f")).isNull();
        assertThat(ExpositionParser.parseFloat("")).isNull();
        assertThat(ExpositionParser.parseFloat("e")).isNull();
        assertThat(ExpositionParser.parseFloat("1_0")).isNull();
    }

    @Test
    void plainDecimalsReadExactlyAsJavaReadsThem() {
        java.util.Random random = new java.util.Random(11);
        List<String> texts = new java.util.ArrayList<>(List.of("0", "-0", "+7", "1.", ".5", "0.1", "0.3", "123456789012345",
                "999999999999999", "0.00000000000001", "900719925474.993", "-12.5", "340282.366920938"));
        for (int i = 0; i < 200_000; i++) {
            int digits = 1 + random.nextInt(15);
            StringBuilder text = new StringBuilder(random.nextInt(4) == 0 ? "-" : "");
            int point = random.nextInt(digits + 1);
            for (int d = 0; d < digits; d++) {
                if (d == point && random.nextBoolean()) {
                    text.append('.');
                }
                text.append((char) ('0' + random.nextInt(10)));
            }
            texts.add(text.toString());
        }
        for (String text : texts) {
            byte[] bytes = ("x" + text + "y").getBytes(StandardCharsets.US_ASCII);
            double read = ExpositionParser.plainDecimal(bytes, 1, bytes.length - 1);
            assertThat(Double.doubleToRawLongBits(read)).as(text)
                    .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(text)));
        }
        // Not plain: left to parseFloat, which reads exponents, NaN, Inf and long digit strings.
        for (String text : List.of("1e3", "NaN", "+Inf", "1234567890123456",
                "0.000000000000001", "", "-", ".", "1.2.3", "0x1p3", "1 ")) {
            byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            assertThat(ExpositionParser.plainDecimal(bytes, 0, bytes.length)).as(text).isNaN();
        }
    }

    @Test
    void labelSetsTakenFromTheSharedCacheReadAsIfParsed() throws Exception {
        LabelsCache cache = new LabelsCache(1024);
        Set<String> names = Set.of("x_total");
        ExpositionParser first = new ExpositionParser(names, cache);
        ExpositionParser second = new ExpositionParser(names, cache); // another target's parser
        String text = "x_total{a=\"1\" , b=\"q\\\"}y\"} 1\n";
        ScrapedSample parsed = first.parse(text.getBytes(StandardCharsets.UTF_8), Format.TEXT).samples().get(0);
        ScrapedSample cached = second.parse(text.getBytes(StandardCharsets.UTF_8), Format.TEXT).samples().get(0);
        assertThat(cached.labels()).isSameAs(parsed.labels()); // from the cache
        assertThat(cached.labels().get("b")).isEqualTo("q\"}y"); // an escaped quote and a brace inside the value
        // Blanks around ',' are text's, not OpenMetrics': the same label text cached from a text
        // exposition is still an error in an OpenMetrics one.
        byte[] openMetrics = (text + "# EOF\n").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> second.parse(openMetrics, Format.OPENMETRICS))
                .hasMessageContaining("line 1: expected ',' or '}'");
        // A label set that failed is not kept: it fails again.
        byte[] twice = "x_total{a=\"1\",a=\"2\"} 1\n".getBytes(StandardCharsets.UTF_8);
        for (ExpositionParser parser : List.of(first, second)) {
            assertThatThrownBy(() -> parser.parse(twice, Format.TEXT)).hasMessageContaining("label a given twice");
        }
    }
}
