package dev.httpretry.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A listening socket on the loopback whose accept queue is full: it drops new connection attempts,
 * so a connect to it times out (nothing leaves 127.0.0.1).
 */
public final class FullAcceptQueue implements AutoCloseable {

    private final ServerSocket server;

    private final List<Socket> fillers = new ArrayList<>();

    public FullAcceptQueue() throws IOException {
        this.server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        for (int i = 0; i < 3; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(this.server.getLocalSocketAddress(), 200);
                this.fillers.add(socket);
            }
            catch (IOException queueFull) {
                socket.close();
                break;
            }
        }
    }

    /** The URL of the full socket. */
    public String url() {
        return "http://127.0.0.1:" + this.server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        for (Socket socket : this.fillers) {
            socket.close();
        }
        this.server.close();
    }
}
