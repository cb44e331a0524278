package io.demandmetrics.adapter.http;

import io.demandmetrics.adapter.api.Status;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way an unexpected exception becomes an answer: a 500 whose body says only that the
 * server failed (an exception's text can carry paths, hosts or secrets and tells the client
 * nothing it can fix), with the exception logged, stack and all, once per kind of failure.
 */
final class Bugs {

    private static final Logger LOG = LoggerFactory.getLogger(Bugs.class);
    /** Bounded: a client that can trigger a bug repeatedly must not be able to grow it. */
    private static final int MAX_REMEMBERED = 256;
    private static final Set<String> logged = ConcurrentHashMap.newKeySet();

    private Bugs() {
    }

    /** The answer for {@code error} met while {@code doing}; a {@link Status} is answered as it is. */
    static Status answer(String doing, Throwable error) {
        if (error instanceof Status status) {
            return status;
        }
        String kind = doing.length() > 80 ? doing.substring(0, 80) : doing;
        kind += " " + (error == null ? "null" : error.getClass().getName());
        if (logged.size() < MAX_REMEMBERED && logged.add(kind)) {
            LOG.error("bug while {} (logged once per kind; the client got a 500)", doing, error);
        }
        return Status.internalError("internal error: the adapter failed; its log has the details");
    }
}
