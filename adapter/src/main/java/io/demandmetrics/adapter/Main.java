package io.demandmetrics.adapter;

import io.demandmetrics.adapter.tls.SelfSignedCertificate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The command line: {@code java -jar demand-adapter.jar --standalone --config FILE}. The HPA
 * simulator is a tool beside the server, in its own jar ({@code demand-simulator.jar}).
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("simulate")) {
            System.err.println("demand-adapter: the HPA simulator is its own jar:"
                    + " java -jar simulator/target/demand-simulator.jar " + String.join(" ", java.util.Arrays.asList(args)
                    .subList(1, args.length)));
            System.exit(2);
            return;
        }
        AdapterOptions options;
        try {
            options = AdapterOptions.parse(args);
        } catch (AdapterOptions.UsageException e) {
            boolean help = e.getMessage().isEmpty();
            (help ? System.out : System.err).print((help ? "" : e.getMessage() + "\n\n") + AdapterOptions.USAGE);
            System.exit(help ? 0 : 2);
            return;
        }
        Adapter adapter;
        try {
            adapter = Adapter.start(options, Clock.systemUTC());
        } catch (StartupException e) {
            System.err.println("demand-adapter: " + e.getMessage());
            System.exit(e.exitCode());
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(adapter::stop, "shutdown"));
        if (options.standalone()) {
            System.out.println(queryHelp(adapter, options));
        }
    }

    /** The kubectl commands that query a standalone adapter, printed at startup. */
    static String queryHelp(Adapter adapter, AdapterOptions options) {
        Path ca = options.tlsCertFile() != null ? options.tlsCertFile()
                : options.certDir().resolve(SelfSignedCertificate.CERT_FILE);
        Path kubeconfig;
        try {
            kubeconfig = StandaloneKubeconfig.write(options.certDir(), adapter.url(), ca);
        } catch (IOException e) {
            return "cannot write a kubeconfig into " + options.certDir() + ": " + e.getMessage();
        }
        return StandaloneBanner.text(adapter.url(), kubeconfig, ca, adapter.metrics());
    }
}
