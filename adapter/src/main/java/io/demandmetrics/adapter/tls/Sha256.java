package io.demandmetrics.adapter.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 in hex: how the adapter keys caches by a token (so the token itself is never kept),
 * notices a changed file, compares settings without sending them, and checks a plugin jar
 * against its pin.
 */
public final class Sha256 {

    private Sha256() {
    }

    /** The SHA-256 of {@code text}'s UTF-8 bytes, 64 lowercase hex digits. */
    public static String hex(String text) {
        return hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The SHA-256 of {@code parts} one after the other, 64 lowercase hex digits. */
    public static String hex(byte[]... parts) {
        MessageDigest sha256 = digest();
        for (byte[] part : parts) {
            sha256.update(part);
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** The SHA-256 of a file's content, read in pieces (a jar may be megabytes), 64 lowercase hex digits. */
    public static String hex(Path file) throws IOException {
        MessageDigest sha256 = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                sha256.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
