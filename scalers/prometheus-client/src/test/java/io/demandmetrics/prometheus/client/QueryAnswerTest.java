package io.demandmetrics.prometheus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Answers a server may give that the real Prometheus in PrometheusScalerTest does not on demand. */
class QueryAnswerTest {

    @Test
    void warningsAndInfinitiesAreRead() {
        QueryAnswer answer = QueryAnswer.parse("{\"status\":\"success\",\"warnings\":[\"partial response\"],"
                + "\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":\"x\",\"q\":\"a\"},"
                + "\"value\":[1.5,\"+Inf\"]}]}}", 200);
        assertThat(answer.warnings()).containsExactly("partial response");
        assertThat(answer.series()).containsExactly(new QueryAnswer.Series(Map.of("q", "a"),
                Double.POSITIVE_INFINITY));
    }

    @Test
    void aHostileErrorIsBoundedAndShownWithoutControlCharacters() {
        String error = "boom\u001b[31m" + "x".repeat(5000);
        assertThatThrownBy(() -> QueryAnswer.parse("{\"status\":\"error\",\"errorType\":\"execution\","
                + "\"error\":\"" + error.replace("\u001b", "\\u001b") + "\"}", 422))
                .hasMessageStartingWith("Prometheus answered execution: boom?[31m")
                .hasMessageEndingWith("...")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(400));
    }

    @Test
    void whatIsNotAQueryAnswerIsSaid() {
        assertThatThrownBy(() -> QueryAnswer.parse("<html>login</html>", 200))
                .hasMessage("not a Prometheus query answer (not a JSON object): \"<html>login</html>\"");
        assertThatThrownBy(() -> QueryAnswer.parse("<html>\u001b[2J\n</html>", 200)) // a hostile front's body
                .hasMessage("not a Prometheus query answer (not a JSON object): \"<html>?[2J?</html>\"");
        assertThatThrownBy(() -> QueryAnswer.parse("Bad Gateway", 502))
                .hasMessageStartingWith("HTTP 502, not a Prometheus query answer");
        assertThatThrownBy(() -> QueryAnswer.parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
                + "\"result\":[{\"metric\":{},\"value\":[1,\"many\"]}]}}", 200))
                .hasMessage("a value in Prometheus' answer is not a number: \"many\"");
    }
}
