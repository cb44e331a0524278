package io.demandmetrics.scaler.http.exposition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A target's series found by their raw bytes: the same samples as a full parse, less work. */
class SeriesCacheTest {

    private static final ExpositionParser PARSER = new ExpositionParser(Set.of("http_requests_total"));

    private static List<ScrapedSample> parse(String text, SeriesCache cache) throws ExpositionException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return PARSER.parse(bytes, bytes.length, Format.TEXT, cache).samples();
    }

    @Test
    void aSteadyTargetsSeriesAreFoundNotParsedAgain() throws Exception {
        SeriesCache cache = new SeriesCache();
        String first = "http_requests_total{code=\"200\",path=\"/a\\\"}b\"} 1\nhttp_requests_total 7\nother 1\n";
        List<ScrapedSample> once = parse(first, cache);
        List<ScrapedSample> twice = parse(first.replace("} 1", "} 2"), cache);
        assertThat(twice).containsExactly(
                new ScrapedSample("http_requests_total", Labels.of("code", "200", "path", "/a\"}b"), 2),
                new ScrapedSample("http_requests_total", Labels.EMPTY, 7));
        assertThat(twice.get(0).labels()).as("the cached instance, not a new parse").isSameAs(once.get(0).labels());
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void aDuplicateSeriesIsStillFoundWhenCached() throws Exception {
        SeriesCache cache = new SeriesCache();
        parse("http_requests_total{code=\"200\"} 1\n", cache);
        assertThatThrownBy(() -> parse("http_requests_total{code=\"200\"} 1\nhttp_requests_total{code=\"200\"} 2\n", cache))
                .isInstanceOf(ExpositionException.class)
                .hasMessage("line 2: a second sample of http_requests_total{code=\"200\"}");
    }

    @Test
    void seriesThatStopBeingWrittenLeaveTheCache() throws Exception {
        SeriesCache cache = new SeriesCache();
        for (int scrape = 0; scrape < 200; scrape++) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                text.append("http_requests_total{pod=\"p").append(scrape).append("-").append(i).append("\"} 1\n");
            }
            parse(text.toString(), cache);
        }
        assertThat(cache.size()).as("at most the unseen allowance beyond the 10 written").isLessThanOrEqualTo(10 * 2 + 256);
    }
}
