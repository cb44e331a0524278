package io.demandmetrics.adapter.config;

import io.demandmetrics.adapter.api.MetricsApi;
import io.demandmetrics.scaler.support.BoundedQuote;
import io.demandmetrics.scaler.support.ParameterReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The config's {@code forward} list: the other adapters whose metrics this one passes on. */
final class ForwardConfig {

    static final List<String> FIELDS = List.of("name", "url", "service", "groups", "caFile", "caFromAPIService",
            "insecureSkipTLSVerify",
            "tokenFile", "timeout", "discoveryInterval");
    static final String DEFAULT_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration MAX_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_DISCOVERY_INTERVAL = Duration.ofSeconds(30);
    /** Backends at most: each is a client and a discovery poll. */
    static final int MAX_BACKENDS = 10;
    /** An APIService's name: {@code <version>.<group>}, a DNS subdomain. */
    private static final Pattern API_SERVICE_NAME = Pattern.compile("v[0-9a-z]+(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+");

    private ForwardConfig() {
    }

    /** The backends of {@code value} (the {@code forward} field, null when absent); problems go to {@code problems}. */
    static List<ForwardBackend> parse(Object value, List<String> problems) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            problems.add("top-level field \"forward\" must be a list");
            return List.of();
        }
        if (list.size() > MAX_BACKENDS) {
            problems.add("top-level field \"forward\" lists " + list.size() + " backends; at most " + MAX_BACKENDS);
            return List.of();
        }
        List<ForwardBackend> backends = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "forward[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> fields)) {
                problems.add(where + " must be a map");
                continue;
            }
            ForwardBackend backend = backend(where, fields, problems);
            if (backend != null && !names.add(backend.name())) {
                problems.add(where + ": another backend is named " + BoundedQuote.quote(backend.name()));
            } else if (backend != null) {
                backends.add(backend);
            }
        }
        return backends;
    }

    private static ForwardBackend backend(String where, Map<?, ?> fields, List<String> problems) {
        ParameterReader p = ParameterReader.forFields("field", fields, FIELDS);
        String name = p.string("name");
        if (name != null && !ConfigParser.isDnsLabel(name)) {
            p.invalid("name", name, "must be a DNS label (lower-case letters, digits, '-')");
        }
        ServiceAddress address = service(p);
        ForwardBackend.Service service = address == null ? null : address.service();
        URI url = address != null ? address.url() : url(p);
        List<String> groups = p.strings("groups");
        if (!p.has("groups")) {
            p.problem("missing required field \"groups\" (" + String.join(", ", MetricsApi.groups()) + ")");
        }
        for (String group : groups) {
            if (!MetricsApi.groups().contains(group)) {
                p.invalid("groups", group, "is not one of " + MetricsApi.groups());
            }
        }
        String caFile = p.readableFile("caFile");
        String caFromApiService = p.string("caFromAPIService", null);
        if (caFromApiService != null && (caFromApiService.length() > 253
                || !API_SERVICE_NAME.matcher(caFromApiService).matches())) {
            p.invalid("caFromAPIService", caFromApiService, "is not an APIService's name (e.g."
                    + " v1beta1.external.metrics.k8s.io)");
        } else if (caFromApiService != null && !p.has("service")) {
            p.problem("field \"caFromAPIService\" needs the backend given by \"service\": the APIService's CA is"
                    + " taken only while it names that Service");
        }
        boolean insecure = p.bool("insecureSkipTLSVerify", false);
        int trusts = (p.has("caFile") ? 1 : 0) + (p.has("caFromAPIService") ? 1 : 0) + (insecure ? 1 : 0);
        if (trusts == 0) {
            p.problem("missing field \"caFile\" or \"caFromAPIService\": the CA of the backend's serving"
                    + " certificate (or insecureSkipTLSVerify: true, as its APIService may say)");
        } else if (trusts > 1) {
            p.problem("fields \"caFile\", \"caFromAPIService\" and \"insecureSkipTLSVerify\" exclude each other");
        }
        // "" presents no token: a backend that needs none (or a test's).
        String tokenFile = "".equals(fields.get("tokenFile")) ? null : p.string("tokenFile", DEFAULT_TOKEN_FILE);
        Duration timeout = p.duration("timeout", DEFAULT_TIMEOUT, Duration.ofMillis(100));
        if (timeout.compareTo(MAX_TIMEOUT) > 0) {
            p.invalid("timeout", "is longer than " + MAX_TIMEOUT.toSeconds() + "s");
        }
        Duration discovery = p.duration("discoveryInterval", DEFAULT_DISCOVERY_INTERVAL, Duration.ofSeconds(1));
        List<String> found = p.problems();
        if (!found.isEmpty()) {
            found.forEach(problem -> problems.add(where + ": " + problem));
            return null;
        }
        return new ForwardBackend(name, url, service, groups, caFile, caFromApiService, insecure, tokenFile, timeout,
                discovery);
    }

    /** A Service and the port asked there. */
    private record ServiceAddress(ForwardBackend.Service service, long port) {

        /** Its cluster DNS name. */
        URI url() {
            return URI.create("https://" + service.name() + "." + service.namespace() + ".svc:" + port);
        }
    }

    /** {@code service: {namespace, name, port}}; null when absent or invalid (then a problem says why). */
    private static ServiceAddress service(ParameterReader p) {
        if (p.has("url") == p.has("service")) {
            p.problem("give exactly one of \"url\" and \"service\"");
            return null;
        }
        if (!p.has("service")) {
            return null;
        }
        Map<String, Object> fields = p.block("service");
        if (fields == null) {
            return null;
        }
        ParameterReader s = p.nested("service", fields, "namespace", "name", "port");
        String namespace = s.string("namespace");
        String name = s.string("name");
        long port = s.integer("port", 443, 1);
        if (namespace == null || name == null || !ConfigParser.isDnsLabel(namespace)
                || !ConfigParser.isDnsLabel(name) || port > 65535) {
            if (namespace != null && name != null) {
                s.problem("field \"service\" must name a Service by DNS labels and a port of 1-65535");
            }
            return null;
        }
        return new ServiceAddress(new ForwardBackend.Service(namespace, name), port);
    }

    /** {@code url: https://host:port}; null when invalid (then a problem says why). */
    private static URI url(ParameterReader p) {
        if (!p.has("url")) {
            return null;
        }
        String text = p.string("url");
        if (text == null) {
            return null;
        }
        try {
            URI url = new URI(text);
            if (!"https".equals(url.getScheme()) || url.getHost() == null || url.getRawUserInfo() != null
                    || (url.getRawPath() != null && !url.getRawPath().isEmpty() && !url.getRawPath().equals("/"))
                    || url.getRawQuery() != null || url.getRawFragment() != null) {
                p.invalid("url", text, "must be https://host[:port], nothing more (the request's path is sent as is)");
                return null;
            }
            return new URI("https", null, url.getHost(), url.getPort() < 0 ? 443 : url.getPort(), null, null, null);
        } catch (URISyntaxException e) {
            p.invalid("url", text, "is not a URL");
            return null;
        }
    }
}
