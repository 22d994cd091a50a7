package dev.httpretry.webclient;

import org.jspecify.annotations.Nullable;

/**
 * The connection of an attempt cancelled while its request is out (a hedged copy that lost, one cut
 * by its timeout or the deadline, or by the caller) is closed and never handed to another request.
 *
 * <p>Reactor Netty closes the connection of an exchange cancelled before its response, but a cancel
 * from another thread (the winning copy's event loop, a timer) only queues that close on the
 * connection's own event loop, which handles I/O before queued tasks. A response already arriving
 * there ends the exchange first: the pool takes the connection back as a healthy keep-alive one and
 * can hand it, on that loop, to the next request, which the queued close then cuts ("Connection
 * prematurely closed BEFORE response", after that request was written). Marked as not to be kept
 * alive before the cancel, the connection is closed where the pool would have taken it back, and
 * the pool evicts it if it holds it already.
 */
final class CancelledConnections {

    private CancelledConnections() {
    }

    /**
     * Marks the connection of a cancelled attempt as not to be kept alive.
     * @param nativeRequest the connector's native request, as the attempt's request was written
     *     ({@code null} if it never was); on Reactor Netty it is the connection
     */
    static void neverReused(@Nullable Object nativeRequest) {
        if (nativeRequest != null && Responses.REACTOR_NETTY_CONNECTION != null
                && Responses.REACTOR_NETTY_CONNECTION.isInstance(nativeRequest)) {
            ReactorNetty.markNotPersistent(nativeRequest);
        }
    }

    /** Loaded only when Reactor Netty is there. */
    private static final class ReactorNetty {

        static void markNotPersistent(Object connection) {
            ((reactor.netty.Connection) connection).markPersistent(false);
        }
    }
}
