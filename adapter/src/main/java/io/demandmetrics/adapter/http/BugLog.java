package io.demandmetrics.adapter.http;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of unexpected exceptions met while answering: each logged, stack and all, once per
 * kind of failure. The client gets a 500 that says only that the server failed
 * ({@link FailureStatus}): an exception's text can carry paths, hosts or secrets and tells the
 * client nothing it can fix.
 */
final class BugLog {

    private static final Logger LOG = LoggerFactory.getLogger(BugLog.class);
    /** Bounded: a client that can trigger a bug repeatedly must not be able to grow it. */
    private static final int MAX_REMEMBERED = 256;
    private static final Set<String> logged = ConcurrentHashMap.newKeySet();

    private BugLog() {
    }

    static void log(String doing, Throwable error) {
        String kind = doing.length() > 80 ? doing.substring(0, 80) : doing;
        kind += " " + (error == null ? "null" : error.getClass().getName());
        if (logged.size() < MAX_REMEMBERED && logged.add(kind)) {
            LOG.error("bug while {} (logged once per kind; the client got a 500)", doing, error);
        }
    }
}
