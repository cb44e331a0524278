package io.demandmetrics.adapter.api;

import io.demandmetrics.adapter.failure.RequestFailure;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decoding of request path segments, one rule for every reader of a path (the metrics API and
 * authorization): the HPA sends {@code %2A} for {@code *}, and a malformed escape or invalid
 * UTF-8 is a {@link RequestFailure.BadRequest}, never a guess.
 */
public final class PathSegments {

    private PathSegments() {
    }

    /** RFC 3986 percent-decoding of a path segment; '+' stays '+' (it is not a space in paths). */
    public static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        if (!wellEscaped(segment)) {
            throw new RequestFailure.BadRequest("malformed percent-encoding in path segment \"" + segment + "\"");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            bytes.write(Integer.parseInt(segment.substring(i + 1, i + 3), 16));
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new RequestFailure.BadRequest("path segment \"" + segment + "\" is not UTF-8");
        }
    }

    /** Whether every {@code %} in {@code path} (a segment or a whole path) is followed by two hex digits. */
    public static boolean wellEscaped(String path) {
        for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
            if (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0
                    || Character.digit(path.charAt(i + 2), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
