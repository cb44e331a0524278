package io.demandmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.objects.ReportedObjects;
import io.demandmetrics.adapter.store.Catalog;
import io.demandmetrics.adapter.view.MetricView;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hostile and odd requests that a well-behaved HTTP client cannot even send. */
class MetricsApiHandlerTest {

    private static final Supplier<Catalog> EMPTY = () -> Catalog.of(List.of());
    private final MetricsApiHandler handler = new MetricsApiHandler(EMPTY,
            new MetricView(EMPTY, new ReportedObjects(), Clock.systemUTC()));

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET|/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/%ZZ/m|400|malformed percent-encoding in path segment \"%ZZ\"",
        "GET|/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/%2/m|400|malformed percent-encoding in path segment \"%2\"",
        "GET|/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/%C3%28/m|400|path segment \"%C3%28\" is not UTF-8",
        "GET|/apis/custom.metrics.k8s.io/v1beta2//pods|404|the server could not find the requested resource",
        "GET|/apis/a/b/c/d/e/f/g/h/i|404|the server could not find the requested resource",
        "POST|/apis/custom.metrics.k8s.io/v1beta2|405|the server does not allow this method on the requested resource",
        "DELETE|/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/m|405|the server does not allow this method on the requested resource",
        "GET|/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/m?x|404|the server could not find the metric m?x for namespace shop",
    })
    void badRequestsGetAStatusWithTheRightCode(String method, String path, int code, String message) {
        ApiResponse response = handler.answer(method, path, null, null).result();
        assertThat(response.code()).isEqualTo(code);
        JsonObject status = new JsonObject(response.body());
        assertThat(status.getString("kind")).isEqualTo("Status");
        assertThat(status.getInteger("code")).isEqualTo(code);
        assertThat(status.getString("message")).isEqualTo(message);
    }

    @ParameterizedTest
    @CsvSource({"/apis", "/apis/", "/apis/custom.metrics.k8s.io", "/apis/external.metrics.k8s.io/v1beta1"})
    void discoveryNeverListsNoResources(String path) {
        ApiResponse response = handler.answer("GET", path, null, null).result();
        assertThat(response.code()).isEqualTo(200);
        JsonObject body = new JsonObject(response.body());
        if (body.getString("kind").equals("APIResourceList")) {
            assertThat(body.getJsonArray("resources")).isNotEmpty();
        }
    }
}
