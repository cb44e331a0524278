package io.demandmetrics.scaler.requests.exposition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Mutated expositions (bytes flipped, cut, repeated, and the bytes that matter to the grammar
 * inserted): each parse ends with samples of the names asked for or with an
 * {@link ExpositionException} naming a line, never another exception, and never a hang (the
 * timeout is a hang guard, far above the time the run takes), and the same outcome whether the
 * label sets were cached from earlier mutants or not. Seeded, so a failure repeats.
 */
class ExpositionFuzzTest {

    private static final int MUTANTS = 20_000;
    private static final byte[] GRAMMAR = "{}=\",#\\ \t\n\r+-.eE0123456789_:aZ\u00ff".getBytes(StandardCharsets.ISO_8859_1);
    private static final Set<String> WANTED = Set.of("http_requests_total", "http_request_duration_seconds_bucket",
            "http_request_duration_seconds_count");

    private static byte[] seed(Format format) {
        StringBuilder text = new StringBuilder();
        text.append("# HELP http_requests_total Requests.\n# TYPE ")
                .append(format == Format.OPENMETRICS ? "http_requests counter\n" : "http_requests_total counter\n");
        for (int code : new int[] {200, 404, 500}) {
            text.append("http_requests_total{code=\"").append(code).append("\",path=\"/a\\\\b\\\"c\\n\"} ")
                    .append(code * 7).append(format == Format.OPENMETRICS ? " 1700000000.5\n" : " 1700000000500\n");
        }
        text.append("# TYPE http_request_duration_seconds histogram\n");
        for (String le : new String[] {"0.005", "0.1", "1", "+Inf"}) {
            text.append("http_request_duration_seconds_bucket{le=\"").append(le).append("\"} 12")
                    .append(format == Format.OPENMETRICS ? " # {trace_id=\"abc\"} 0.05\n" : "\n");
        }
        text.append("http_request_duration_seconds_count 12\nhttp_request_duration_seconds_sum 1.5\n");
        text.append("go_goroutines 8\nprocess_cpu_seconds_total NaN\n");
        if (format == Format.OPENMETRICS) {
            text.append("# EOF\n");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void mutatedExpositionsEndInSamplesOrALineNumberedError(Format format) {
        ExpositionParser parser = new ExpositionParser(WANTED);
        byte[] seed = seed(format);
        Random random = new Random(20261130L + format.ordinal());
        int parsed = 0;
        int rejected = 0;
        for (int i = 0; i < MUTANTS; i++) {
            byte[] mutant = mutate(seed, random, 1 + random.nextInt(4));
            // The parser reused here has the label sets of earlier mutants cached; one made for this
            // mutant has not. Both must read it the same way.
            assertThat(outcome(parser, mutant, format)).as("mutant %d with label sets cached from earlier ones", i)
                    .isEqualTo(outcome(new ExpositionParser(WANTED), mutant, format));
            try {
                ExpositionParser.Exposition exposition = parser.parse(mutant, format);
                assertThat(exposition.samples()).allSatisfy(sample -> assertThat(WANTED).contains(sample.name()));
                parsed++;
            } catch (ExpositionException e) {
                assertThat(e.getMessage()).startsWith("line ").hasSizeLessThan(400);
                rejected++;
            } catch (RuntimeException e) {
                fail("mutant " + i + " threw " + e + " on:\n" + new String(mutant, StandardCharsets.ISO_8859_1), e);
            }
        }
        // Both outcomes occur, so the mutations reach past the first line and into the grammar.
        assertThat(parsed).as("parsed").isGreaterThan(MUTANTS / 20);
        assertThat(rejected).as("rejected").isGreaterThan(MUTANTS / 20);
    }

    /** The samples read, or the error. */
    private static String outcome(ExpositionParser parser, byte[] mutant, Format format) {
        try {
            return parser.parse(mutant, format).samples().toString();
        } catch (ExpositionException e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            return e.toString();
        }
    }

    private static byte[] mutate(byte[] seed, Random random, int mutations) {
        byte[] bytes = seed;
        for (int m = 0; m < mutations; m++) {
            int at = random.nextInt(bytes.length);
            ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 64);
            switch (random.nextInt(5)) {
                case 0 -> { // flip one byte to one the grammar cares about
                    bytes = Arrays.copyOf(bytes, bytes.length);
                    bytes[at] = GRAMMAR[random.nextInt(GRAMMAR.length)];
                    continue;
                }
                case 1 -> { // cut a range
                    int length = Math.min(bytes.length - at, 1 + random.nextInt(40));
                    out.write(bytes, 0, at);
                    out.write(bytes, at + length, bytes.length - at - length);
                }
                case 2 -> { // repeat a range
                    int length = Math.min(bytes.length - at, 1 + random.nextInt(80));
                    out.write(bytes, 0, at + length);
                    out.write(bytes, at, bytes.length - at);
                }
                case 3 -> { // insert grammar bytes
                    out.write(bytes, 0, at);
                    for (int k = random.nextInt(6); k >= 0; k--) {
                        out.write(GRAMMAR[random.nextInt(GRAMMAR.length)]);
                    }
                    out.write(bytes, at, bytes.length - at);
                }
                default -> { // truncate
                    out.write(bytes, 0, at);
                }
            }
            bytes = out.toByteArray();
            if (bytes.length == 0) {
                bytes = seed;
            }
        }
        return bytes;
    }
}
