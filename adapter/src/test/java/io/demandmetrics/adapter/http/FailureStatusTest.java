package io.demandmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandmetrics.adapter.api.Status;
import io.demandmetrics.adapter.failure.RequestFailure;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Every failure a layer can report has its status here, and only a bug is a 500. */
class FailureStatusTest {

    private static RequestFailure instance(Class<?> kind) throws Exception {
        if (kind == RequestFailure.NoSuchResource.class) {
            return new RequestFailure.NoSuchResource();
        }
        if (kind == RequestFailure.UnknownObject.class) {
            return new RequestFailure.UnknownObject("m", "pods", "web-0");
        }
        return (RequestFailure) kind.getConstructor(String.class).newInstance("why");
    }

    @Test
    void eachKindOfFailureHasItsStatus() throws Exception {
        Map<String, String> statuses = new TreeMap<>();
        for (Class<?> kind : RequestFailure.class.getPermittedSubclasses()) {
            Status status = FailureStatus.of("testing", instance(kind));
            statuses.put(kind.getSimpleName(), status.code() + " " + status.reason());
        }
        assertThat(statuses).isEqualTo(new TreeMap<>(Map.ofEntries(
                Map.entry("AuthorizationUnavailable", "503 ServiceUnavailable"),
                Map.entry("BackendUnavailable", "503 ServiceUnavailable"),
                Map.entry("BadRequest", "400 BadRequest"),
                Map.entry("Expired", "410 Expired"),
                Map.entry("Forbidden", "403 Forbidden"),
                Map.entry("HeadersTooLarge", "431 RequestHeaderFieldsTooLarge"),
                Map.entry("MethodNotAllowed", "405 MethodNotAllowed"),
                Map.entry("NoSuchResource", "404 NotFound"),
                Map.entry("ObjectsNotYetKnown", "503 ServiceUnavailable"),
                Map.entry("StaleValue", "503 ServiceUnavailable"),
                Map.entry("TargetTooLong", "414 RequestURITooLong"),
                Map.entry("Unauthenticated", "401 Unauthorized"),
                Map.entry("UnknownMetric", "404 NotFound"),
                Map.entry("UnknownObject", "404 NotFound"),
                Map.entry("UnsupportedVersion", "505 HTTPVersionNotSupported"),
                Map.entry("UnusableValue", "503 ServiceUnavailable"))));
    }

    @Test
    void theMessageIsTheFailures() {
        assertThat(FailureStatus.of("testing", new RequestFailure.StaleValue("metric \"a/b\" has no value yet"))
                .message()).isEqualTo("metric \"a/b\" has no value yet");
    }

    @Test
    void anythingElseIsABugAnsweredWithoutItsText() {
        Status status = FailureStatus.of("testing", new IllegalStateException("secret=hunter2 at /etc/x"));
        assertThat(status).isEqualTo(new Status(500, "InternalError",
                "internal error: the adapter failed; its log has the details"));
        // The bytes a client receives, as text: a secret in the cause must not be among them.
        assertThat(status.toJson().toBuffer().toString(StandardCharsets.UTF_8)).contains("internal error")
                .doesNotContain("hunter2").doesNotContain("/etc/x");
    }
}
