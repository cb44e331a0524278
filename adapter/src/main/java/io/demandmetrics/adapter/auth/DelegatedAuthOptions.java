package io.demandmetrics.adapter.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * In-cluster authentication and authorization. Empty lists and null files mean "from
 * ConfigMap kube-system/extension-apiserver-authentication".
 */
public record DelegatedAuthOptions(Path kubeconfig, Path requestheaderClientCaFile,
                                   List<String> requestheaderAllowedNames, List<String> requestheaderUsernameHeaders,
                                   List<String> requestheaderGroupHeaders,
                                   List<String> requestheaderExtraHeadersPrefix, Duration tokenCacheTtl,
                                   Duration authorizationCacheTtl, List<String> alwaysAllowPaths) {
}
