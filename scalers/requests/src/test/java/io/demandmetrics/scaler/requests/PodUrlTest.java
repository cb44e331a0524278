package io.demandmetrics.scaler.requests;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.scaler.requests.HttpMetricConfig.PodSelection;
import io.demandmetrics.scaler.spi.Pods;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where a selected pod is scraped: the metric's port and path, else the pod's prometheus.io annotations. */
class PodUrlTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', nullValues = "-", value = {
            "the metric's port and path win;     9090; /stats;  -;     8080; /metrics; -;     10.0.0.7; http://10.0.0.7:9090/stats",
            "the annotations when the metric has none; 0; -;   -;     8080; /prom;    https; 10.0.0.7; https://10.0.0.7:8080/prom",
            "/metrics when no path is given;     0;    -;       -;     8080; -;        -;     10.0.0.7; http://10.0.0.7:8080/metrics",
            "the metric's scheme wins;           0;    -;       https; 8080; -;        http;  10.0.0.7; https://10.0.0.7:8080/metrics",
            "an IPv6 pod IP is bracketed;        8080; -;       -;     -;    -;        -;     fd00::7;  http://[fd00::7]:8080/metrics",
            "no port anywhere: not scraped;      0;    -;       -;     -;    -;        -;     10.0.0.7; -",
            "a port annotation that is no port;  0;    -;       -;     http; -;        -;     10.0.0.7; -"})
    void url(String what, int port, String path, String scheme, String portAnnotation, String pathAnnotation,
             String schemeAnnotation, String ip, String expected) {
        Map<String, String> annotations = new java.util.HashMap<>();
        if (portAnnotation != null) {
            annotations.put("prometheus.io/port", portAnnotation);
        }
        if (pathAnnotation != null) {
            annotations.put("prometheus.io/path", pathAnnotation);
        }
        if (schemeAnnotation != null) {
            annotations.put("prometheus.io/scheme", schemeAnnotation);
        }
        URI url = HttpScaler.url(new PodSelection("app=web", null, null, port, path, scheme),
                new Pods.Pod("web-1", ip, Map.of(), annotations));
        assertThat(url == null ? null : url.toString()).isEqualTo(expected);
    }
}
