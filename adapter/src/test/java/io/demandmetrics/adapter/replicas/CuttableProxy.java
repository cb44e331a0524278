package io.demandmetrics.adapter.replicas;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder to a local port that can be cut: open connections are closed and new ones
 * refused, as when a network partition separates a replica from the Kubernetes API. Or stalled
 * (plain HTTP only): answers stop after their head, the connection left open, as when a
 * partition drops packets in the middle of an answer and no reset ever arrives.
 */
public final class CuttableProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int target;
    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};

    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean cut;
    private volatile boolean stalled;
    private final CountDownLatch closed = new CountDownLatch(1);

    public CuttableProxy(int target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "cuttable-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** From now on nothing gets through: open connections are closed, new ones closed at once. */
    public void cut() {
        cut = true;
        open.forEach(CuttableProxy::closeQuietly);
    }

    /**
     * From now on each connection forwards the head of its next answer and nothing after it,
     * and stays open: the client has its status line and headers, and waits for a body that
     * never comes. {@link #restore()} lets new connections through whole; a stalled one stays
     * stalled until the proxy closes.
     */
    public void stall() {
        stalled = true;
    }

    /** Lets connections through again (a source back after an outage). */
    public void restore() {
        cut = false;
        stalled = false;
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                if (cut) {
                    closeQuietly(client);
                    continue;
                }
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                open.add(client);
                open.add(server);
                pipe(client, server, false);
                pipe(server, client, true);
            } catch (IOException e) {
                // the listener closed, or the target refused: the client sees its connection close
            }
        }
    }

    /** @param answers the server-to-client direction, the one a stall holds */
    private void pipe(Socket from, Socket to, boolean answers) {
        Thread thread = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                byte[] buffer = new byte[8192];
                int headEndSeen = 0; // how much of CR LF CR LF ends the bytes sent so far
                for (int read; (read = in.read(buffer)) >= 0; ) {
                    if (!(answers && stalled)) {
                        out.write(buffer, 0, read);
                        continue;
                    }
                    for (int i = 0; i < read; i++) {
                        headEndSeen = buffer[i] == HEAD_END[headEndSeen] ? headEndSeen + 1
                                : buffer[i] == HEAD_END[0] ? 1 : 0;
                        if (headEndSeen == HEAD_END.length) {
                            out.write(buffer, 0, i + 1);
                            out.flush();
                            closed.await(); // the rest of this connection's bytes never arrive
                            return;
                        }
                    }
                    out.write(buffer, 0, read);
                }
            } catch (IOException e) {
                // closed by either side or by cut()
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "cuttable-proxy-pipe");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }

    @Override
    public void close() {
        closed.countDown();
        cut();
        try {
            listener.close();
        } catch (IOException e) {
            // closing
        }
    }
}
