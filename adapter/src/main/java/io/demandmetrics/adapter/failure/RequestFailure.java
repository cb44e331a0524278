package io.demandmetrics.adapter.failure;

/**
 * Why a request cannot be answered with a value, said in the terms of the layer that found
 * out: the view, the store, the object resolver, path decoding, authentication. Only
 * {@code http.FailureStatus} turns these into metav1.Status answers (code and reason), so no
 * layer below it knows HTTP, and every kind of failure has one status everywhere.
 *
 * <p>Stack traces are not filled: these are answers, not bugs, and a hostile client can make
 * many of them.
 */
public abstract sealed class RequestFailure extends RuntimeException {

    private RequestFailure(String message) {
        super(message, null, false, false);
    }

    /** The request itself is malformed: a selector, a path escape, a header. */
    public static final class BadRequest extends RequestFailure {
        public BadRequest(String message) {
            super(message);
        }
    }

    /** The request line's target is longer than the server reads. */
    public static final class TargetTooLong extends RequestFailure {
        public TargetTooLong(String message) {
            super(message);
        }
    }

    /** The request's header fields together are larger than the server reads. */
    public static final class HeadersTooLarge extends RequestFailure {
        public HeadersTooLarge(String message) {
            super(message);
        }
    }

    /**
     * A well-formed HTTP version the server does not speak ({@code HTTP/2.0} in an HTTP/1 request
     * line). A malformed version is a {@link BadRequest}.
     */
    public static final class UnsupportedVersion extends RequestFailure {
        public UnsupportedVersion(String message) {
            super(message);
        }
    }

    /** No such route or API resource (not a metric: see {@link UnknownMetric}). */
    public static final class NoSuchResource extends RequestFailure {
        public NoSuchResource() {
            super("the server could not find the requested resource");
        }
    }

    /**
     * A continued list whose place is gone (the item it continues after is no longer listed):
     * 410, as kube-apiserver answers an expired {@code continue}; the client starts again.
     */
    public static final class Expired extends RequestFailure {
        public Expired(String message) {
            super(message);
        }
    }

    /** The route exists, the method does not. */
    public static final class MethodNotAllowed extends RequestFailure {
        public MethodNotAllowed(String message) {
            super(message);
        }
    }

    /** No metric is configured under the name asked for, for that kind of object. */
    public static final class UnknownMetric extends RequestFailure {
        public UnknownMetric(String message) {
            super(message);
        }

        /** As custom-metrics-apiserver words it: {@code ... the metric m for pods} or {@code ... for pods web-1}. */
        public static UnknownMetric forObjects(String metric, String resource, String objectName) {
            return new UnknownMetric("the server could not find the metric " + metric + " for " + resource
                    + (objectName.equals("*") ? "" : " " + objectName));
        }

        public static UnknownMetric external(String metric, String namespace) {
            return new UnknownMetric("the server could not find the metric " + metric + " for namespace " + namespace);
        }
    }

    /**
     * The metric exists but has no value for the object asked for: the object does not exist
     * or the metric does not describe it. Worded as upstream words it, which does not tell
     * these apart.
     */
    public static final class UnknownObject extends RequestFailure {
        public UnknownObject(String metric, String resource, String objectName) {
            super("the server could not find the metric " + metric + " for " + resource + " " + objectName);
        }
    }

    /** The metric has no value fresh enough to serve and no fallback; the message says why. */
    public static final class StaleValue extends RequestFailure {
        public StaleValue(String message) {
            super(message);
        }
    }

    /** The metric's value cannot be served as it is: its provider combined it into no quantity. */
    public static final class UnusableValue extends RequestFailure {
        public UnusableValue(String message) {
            super(message);
        }
    }

    /** Which objects exist is not known yet: the informer has not listed them, or cannot. */
    public static final class ObjectsNotYetKnown extends RequestFailure {
        public ObjectsNotYetKnown(String message) {
            super(message);
        }
    }

    /** Who is asking could not be established. */
    public static final class Unauthenticated extends RequestFailure {
        public Unauthenticated(String message) {
            super(message);
        }
    }

    /** The caller is known and may not do this. */
    public static final class Forbidden extends RequestFailure {
        public Forbidden(String message) {
            super(message);
        }
    }

    /** Whether the caller may do this could not be decided: the Kubernetes API did not answer. */
    public static final class AuthorizationUnavailable extends RequestFailure {
        public AuthorizationUnavailable(String message) {
            super(message);
        }
    }

    /** Another adapter this one forwards to did not answer usably (down, slow, garbage); the message names it. */
    public static final class BackendUnavailable extends RequestFailure {
        public BackendUnavailable(String message) {
            super(message);
        }
    }
}
