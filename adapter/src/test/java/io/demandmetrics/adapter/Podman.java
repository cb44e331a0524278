package io.demandmetrics.adapter;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real podman, as bin/build-image runs it: runc, and the repository's containers.conf
 * (test-components.md: crun and the default ulimits fail on this machine kind).
 */
final class Podman {

    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    /** What a finished command said. */
    record Result(int exitCode, String stdout, String stderr) {

        /** This result, or an error with everything it printed when it did not exit 0. */
        Result ok() {
            if (exitCode != 0) {
                throw new AssertionError("exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr);
            }
            return this;
        }
    }

    private Podman() {
    }

    /**
     * The adapter image to test: {@code -Dadapter.image=NAME} as bin/test passes it after
     * building, else built now from the Dockerfile with the local Debian bases.
     */
    static synchronized String adapterImage() throws Exception {
        String image = System.getProperty("adapter.image", "");
        if (image.isBlank()) {
            Result build = command(Duration.ofMinutes(15), List.of(REPO.resolve("bin/build-image").toString(),
                    "--local-bases"));
            image = build.ok().stdout.strip();
            System.setProperty("adapter.image", image);
        }
        return image;
    }

    static Result run(Duration timeout, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        return command(timeout, command);
    }

    static Result run(String... args) throws Exception {
        return run(Duration.ofMinutes(2), args);
    }

    private static Result command(Duration timeout, List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(REPO.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("CONTAINERS_CONF", REPO.resolve("bin/containers.conf").toString());
        Process process = builder.start();
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + timeout);
        }
        return new Result(process.exitValue(), out.get(), err.get());
    }

    private static CompletableFuture<String> drain(java.io.InputStream stream) {
        // A thread each: the common pool may have one thread on 2 cores, and both pipes must drain.
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }, task -> new Thread(task, "podman-output").start());
    }

    /** Writes {@code text} to {@code file}, readable by the container's non-root user. */
    static Path writeReadable(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }
}
