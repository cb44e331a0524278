package io.demandmetrics.adapter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kubeconfig for querying a standalone adapter with {@code kubectl get --raw}.
 *
 * <p>kubectl prompts for a user name when its kubeconfig user has no credentials, so the user
 * carries a token; standalone mode authenticates no one and ignores it, as its value says.
 */
final class StandaloneKubeconfig {

    static final String FILE = "standalone.kubeconfig";
    static final String IGNORED_TOKEN = "standalone-mode-ignores-this-token";

    private StandaloneKubeconfig() {
    }

    static Path write(Path dir, String url, Path certificateAuthority) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE);
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: demand-adapter
                  cluster:
                    server: %s
                    certificate-authority: %s
                users:
                - name: standalone
                  user:
                    token: %s
                contexts:
                - name: demand-adapter
                  context: {cluster: demand-adapter, user: standalone}
                current-context: demand-adapter
                """.formatted(url, certificateAuthority.toAbsolutePath(), IGNORED_TOKEN));
        return file;
    }
}
