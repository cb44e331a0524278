package io.demandmetrics.scaler.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BoundedQuoteTest {

    @Test
    void shortValuesAreQuotedWhole() {
        assertThat(BoundedQuote.quote("abc")).isEqualTo("\"abc\"");
        assertThat(BoundedQuote.quote(42)).isEqualTo("\"42\"");
        assertThat(BoundedQuote.quote(List.of(1, 2))).isEqualTo("\"[1, 2]\"");
        assertThat(BoundedQuote.quote(Map.of("a", 1))).isEqualTo("\"{a=1}\"");
        assertThat(BoundedQuote.quote("x".repeat(64))).isEqualTo("\"" + "x".repeat(64) + "\"");
    }

    @Test
    void longValuesShowTheirStartAndLength() {
        assertThat(BoundedQuote.quote("x".repeat(65))).isEqualTo("\"" + "x".repeat(64) + "…\" (65 characters)");
        assertThat(BoundedQuote.quote("y".repeat(4_000_000))).isEqualTo("\"" + "y".repeat(64) + "…\" (4000000 characters)");
    }

    @Test
    void aSelfDoublingStructureCostsOnlyTheBound() {
        List<Object> level = List.of("x", "x");
        for (int i = 0; i < 60; i++) { // 2^60 leaves: toString() would never finish
            level = List.of(level, level);
        }
        String quoted = BoundedQuote.quote(level);
        assertThat(quoted).startsWith("\"[[[[").endsWith("…\" (a list of 2 elements)");
        assertThat(quoted.length()).isLessThan(100);
        List<Object> selfContaining = new ArrayList<>();
        selfContaining.add("a");
        assertThat(BoundedQuote.quote(selfContaining)).isEqualTo("\"[a]\"");
    }

    @Test
    void controlCharactersAreShownAsQuestionMarks() {
        // A server's or a target's text: an escape sequence or a line break must not reach a log.
        assertThat(BoundedQuote.quote("ok\u001b[31mred\nnext\tcol")).isEqualTo("\"ok?[31mred?next?col\"");
        assertThat(BoundedQuote.quote(List.of("a\rb"))).isEqualTo("\"[a?b]\"");
        assertThat(BoundedQuote.printable("\u0000é\u009b")).isEqualTo("?é?");
    }
}
