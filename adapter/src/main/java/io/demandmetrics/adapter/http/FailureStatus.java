package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.api.Status;
import io.demandmetrics.adapter.failure.RequestFailure.AuthorizationUnavailable;
import io.demandmetrics.adapter.failure.RequestFailure.BackendUnavailable;
import io.demandmetrics.adapter.failure.RequestFailure.BadRequest;
import io.demandmetrics.adapter.failure.RequestFailure.Expired;
import io.demandmetrics.adapter.failure.RequestFailure.Forbidden;
import io.demandmetrics.adapter.failure.RequestFailure.HeadersTooLarge;
import io.demandmetrics.adapter.failure.RequestFailure.MethodNotAllowed;
import io.demandmetrics.adapter.failure.RequestFailure.NoSuchResource;
import io.demandmetrics.adapter.failure.RequestFailure.ObjectsNotYetKnown;
import io.demandmetrics.adapter.failure.RequestFailure.StaleValue;
import io.demandmetrics.adapter.failure.RequestFailure.TargetTooLong;
import io.demandmetrics.adapter.failure.RequestFailure.Unauthenticated;
import io.demandmetrics.adapter.failure.RequestFailure.UnknownMetric;
import io.demandmetrics.adapter.failure.RequestFailure.UnknownObject;
import io.demandmetrics.adapter.failure.RequestFailure.UnsupportedVersion;
import io.demandmetrics.adapter.failure.RequestFailure.UnusableValue;
import io.demandmetrics.adapter.failure.RequestFailure;

/**
 * The one place a failure becomes a Status answer, as custom-metrics-apiserver maps its
 * provider errors: what is missing is 404, what is not available now is 503, a malformed
 * request 400 (414 and 431 when its target or headers are too large, 505 for an HTTP version
 * the server does not speak). Anything that is not a {@link RequestFailure} is a bug: {@link BugLog} logs it
 * and it is a 500 without the exception's text.
 */
final class FailureStatus {

    private FailureStatus() {
    }

    /** The answer for {@code error}, met while {@code doing} (for the log, when it is a bug). */
    static Status of(String doing, Throwable error) {
        if (!(error instanceof RequestFailure failure)) {
            BugLog.log(doing, error);
            return new Status(500, "InternalError", "internal error: the adapter failed; its log has the details");
        }
        String message = failure.getMessage();
        if (failure instanceof BadRequest) {
            return new Status(400, "BadRequest", message);
        }
        if (failure instanceof Unauthenticated) {
            return new Status(401, "Unauthorized", message);
        }
        if (failure instanceof Forbidden) {
            return new Status(403, "Forbidden", message);
        }
        if (failure instanceof NoSuchResource || failure instanceof UnknownMetric || failure instanceof UnknownObject) {
            return new Status(404, "NotFound", message);
        }
        if (failure instanceof MethodNotAllowed) {
            return new Status(405, "MethodNotAllowed", message);
        }
        if (failure instanceof Expired) {
            return new Status(410, "Expired", message);
        }
        if (failure instanceof TargetTooLong) {
            return new Status(414, "RequestURITooLong", message);
        }
        if (failure instanceof HeadersTooLarge) {
            return new Status(431, "RequestHeaderFieldsTooLarge", message);
        }
        if (failure instanceof UnsupportedVersion) {
            return new Status(505, "HTTPVersionNotSupported", message);
        }
        if (failure instanceof StaleValue || failure instanceof UnusableValue || failure instanceof ObjectsNotYetKnown
                || failure instanceof AuthorizationUnavailable || failure instanceof BackendUnavailable) {
            return new Status(503, "ServiceUnavailable", message);
        }
        throw new AssertionError("a RequestFailure without a status: " + failure.getClass().getName());
    }
}
