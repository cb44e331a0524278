package io.demandmetrics.adapter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A TLS socket that writes exactly the bytes a test gives it, for requests no well-behaved
 * client library would send (no Host, a target that is not a path, slow headers).
 */
final class RawTls implements AutoCloseable {

    private final SSLSocket socket;

    private RawTls(SSLSocket socket) {
        this.socket = socket;
    }

    /** Connects with HTTP/1.1 offered by ALPN, trusting any server certificate (tests only). */
    static RawTls connect(int port) throws Exception {
        return connect(port, null);
    }

    /** The same, presenting the client certificate in {@code clientKeys} when not null. */
    static RawTls connect(int port, javax.net.ssl.KeyManagerFactory clientKeys) throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(clientKeys == null ? null : clientKeys.getKeyManagers(), new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", port);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(5_000);
        socket.startHandshake();
        return new RawTls(socket);
    }

    InputStream input() throws IOException {
        return socket.getInputStream();
    }

    void write(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** One response: status line, headers and a Content-Length body. */
    Response readResponse() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.size() + " bytes: " + head);
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        int code = Integer.parseInt(headers.substring(9, 12));
        return new Response(code, headers, new String(body, StandardCharsets.UTF_8));
    }

    /** True once the server has closed the connection (read returns end of stream or a reset). */
    boolean closedByServer() throws IOException {
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    record Response(int code, String headers, String body) {
    }
}
