package io.demandmetrics.scaler.requests.series;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandmetrics.scaler.requests.exposition.Labels;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelMatcherTest {

    @ParameterizedTest(name = "{0} on code={1}: {2}")
    @CsvSource(delimiter = ';', value = {
            "code=\"200\"          ; 200 ; true",
            "code=\"200\"          ; 500 ; false",
            "code!=\"500\"         ; 200 ; true",
            "code!=\"500\"         ;     ; true",
            "code=~\"2..\"         ; 204 ; true",
            "code=~\"2\"           ; 204 ; false",
            "code!~\"5..\"         ; 503 ; false",
            "code!~\"5..\"         ; 404 ; true",
            "{code=~\"2..|3..\"}   ; 302 ; true",
            "code=\"\"             ;     ; true",
            "code=~\".+\"          ;     ; false"})
    void promqlMatcherSemantics(String matchers, String code, boolean expected) {
        Labels labels = code == null ? Labels.of("path", "/") : Labels.of("code", code, "path", "/");
        assertThat(LabelMatcher.all(LabelMatcher.parseAll(matchers), labels)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "code                  | expected =, !=, =~ or !~ after code",
            "code=200              | expected a double-quoted value after code=",
            "code=\"200            | the value of code is not closed by '\"'",
            "code=~\"(\"           | the pattern for code is not a valid regular expression: Unclosed group",
            "code=\"1\" method=\"GET\" | expected ',' between matchers at \"method=\"GET\"\"",
            "9x=\"1\"              | expected a label name at \"9x=\"1\"\""})
    void badMatchersSayWhatIsWrong(String matchers, String message) {
        assertThatThrownBy(() -> LabelMatcher.parseAll(matchers)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @org.junit.jupiter.api.Test
    void severalMatchersAllMustMatch() {
        List<LabelMatcher> matchers = LabelMatcher.parseAll("reporter=\"destination\", response_code!~\"5..\"");
        assertThat(matchers).hasSize(2);
        assertThat(LabelMatcher.all(matchers, Labels.of("reporter", "destination", "response_code", "200"))).isTrue();
        assertThat(LabelMatcher.all(matchers, Labels.of("reporter", "source", "response_code", "200"))).isFalse();
        assertThat(matchers.get(1)).hasToString("response_code!~\"5..\"");
    }
}
