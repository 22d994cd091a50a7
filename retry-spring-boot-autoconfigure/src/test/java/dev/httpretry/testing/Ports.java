package dev.httpretry.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Ports on the loopback for tests that need a connection to be refused.
 */
public final class Ports {

    private Ports() {
    }

    /**
     * A port on 127.0.0.1 that nothing listens on: it was bound, and closed again, so a connect to it
     * is refused at once (nothing leaves the machine).
     */
    public static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
