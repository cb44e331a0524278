package io.demandmetrics.adapter.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LabelSelectorTest {

    private static final Map<String, String> WEB = Map.of("app", "web", "tier", "frontend", "version", "3",
            "example.com/team", "checkout");

    static Stream<Arguments> matching() {
        return Stream.of(
                Arguments.of("", true),
                Arguments.of("app=web", true),
                Arguments.of("app==web", true),
                Arguments.of("app = web", true),
                Arguments.of("app!=web", false),
                Arguments.of("app!=api", true),
                Arguments.of("missing!=x", true),
                Arguments.of("app in (web, api)", true),
                Arguments.of("app in (api)", false),
                Arguments.of("app notin (api,worker)", true),
                Arguments.of("app notin (web)", false),
                Arguments.of("missing notin (web)", true),
                Arguments.of("missing in (web)", false),
                Arguments.of("app", true),
                Arguments.of("missing", false),
                Arguments.of("!missing", true),
                Arguments.of("!app", false),
                Arguments.of("version>2", true),
                Arguments.of("version>3", false),
                Arguments.of("version<4", true),
                Arguments.of("app>1", false),
                Arguments.of("app=web,tier=frontend", true),
                Arguments.of("app=web,tier=backend", false),
                Arguments.of("app=web, tier in (frontend), !canary, version", true),
                Arguments.of("example.com/team=checkout", true),
                Arguments.of("tier=", false),
                Arguments.of("app in (web,)", true));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("matching")
    void matches(String selector, boolean expected) {
        assertThat(LabelSelector.parse(selector).matches(WEB)).isEqualTo(expected);
    }

    @Test
    void emptyValueMatchesAnEmptyLabel() {
        assertThat(LabelSelector.parse("tier=").matches(Map.of("tier", ""))).isTrue();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("app in (web", "found end of selector, expected ',' or ')'"),
                Arguments.of("app in web", "found 'web', expected '(' after 'in'"),
                Arguments.of("app in ()", "for 'in' the set of values must not be empty"),
                Arguments.of("app web", "found 'web' after key \"app\", expected one of"),
                Arguments.of("=web", "found '=', expected a label key"),
                Arguments.of("app=web,", "found end of selector, expected a label key"),
                Arguments.of("app=web tier=x", "found 'tier', expected ',' or end of selector"),
                Arguments.of("version>x", "expected an integer after '>'"),
                Arguments.of("-app=web", "invalid label key \"-app\""),
                Arguments.of("app=we b", "found 'b', expected ',' or end of selector"),
                Arguments.of("Example.COM/x=1", "invalid label key \"Example.COM/x\": the prefix must be a DNS subdomain"),
                Arguments.of("app=" + "v".repeat(64), "invalid label value"),
                Arguments.of("app=(", "found '(', expected a value"),
                Arguments.of("!", "found end of selector, expected a label key"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsMalformedSelectorsNamingTheProblem(String selector, String problem) {
        assertThatThrownBy(() -> LabelSelector.parse(selector))
                .isInstanceOf(SelectorSyntaxException.class)
                .hasMessageStartingWith("unable to parse selector \"" + selector + "\": ")
                .hasMessageContaining(problem);
    }
}
