package dev.httpretry.core;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Classifies the exceptions of the HTTP client libraries a {@code WebClient} runs on: Reactor Netty
 * and Netty, Jetty's client, the JDK's {@code java.net.http} and Apache HttpComponents 5. Types are
 * matched by name along the class hierarchy, so none of these libraries has to be on the classpath.
 * Each entry is exercised by {@code ConnectorFaultTests}, one real fault per connector. Adapters give
 * it to their policies ({@link RetryPolicyBuilder#exceptionClassifier}). Thread-safe.
 */
public final class ClientLibraryExceptionClassifier implements ExceptionClassifier {

    /** The classifier. */
    public static final ClientLibraryExceptionClassifier INSTANCE = new ClientLibraryExceptionClassifier();

    private static final Map<String, Category> CATEGORIES = Map.ofEntries(
            // Netty: a connect that did not complete in time (extends ConnectException)
            Map.entry("io.netty.channel.ConnectTimeoutException", Category.CONNECT_TIMEOUT),
            // Netty: refused, unreachable (extends ConnectException; listed to be explicit)
            Map.entry("io.netty.channel.AbstractChannel$AnnotatedConnectException", Category.CONNECTION_REFUSED),
            // Netty's DNS resolver
            Map.entry("io.netty.resolver.dns.DnsNameResolverException", Category.DNS_FAILURE),
            // Reactor Netty: the connection closed before the response headers arrived
            Map.entry("reactor.netty.http.client.PrematureCloseException", Category.CONNECTION_RESET),
            // Netty: read or write idle past the connector's own timeouts
            Map.entry("io.netty.handler.timeout.ReadTimeoutException", Category.RESPONSE_TIMEOUT),
            Map.entry("io.netty.handler.timeout.WriteTimeoutException", Category.RESPONSE_TIMEOUT),
            // Reactor Netty's connection pool: no connection in time, or too many waiting. The client
            // itself is saturated; retrying would only pile on.
            Map.entry("reactor.netty.internal.shaded.reactor.pool.PoolAcquireTimeoutException", Category.LOCAL_SATURATION),
            Map.entry("reactor.netty.internal.shaded.reactor.pool.PoolAcquirePendingLimitException", Category.LOCAL_SATURATION),
            // Netty's native (epoll) transport: a read or write on an established connection failed,
            // e.g. "recvAddress(..) failed: Connection reset by peer". A failed connect is raised as
            // AnnotatedConnectException instead, so this is a connection that broke.
            Map.entry("io.netty.channel.unix.Errors$NativeIoException", Category.CONNECTION_RESET),
            // JDK HttpClient connector
            Map.entry("java.net.http.HttpConnectTimeoutException", Category.CONNECT_TIMEOUT),
            // JDK HttpClient: no response in time (Spring's JdkClientHttpRequestFactory read timeout)
            Map.entry("java.net.http.HttpTimeoutException", Category.RESPONSE_TIMEOUT),
            // JDK HttpClient (under an IOException "header parser received no bytes") and Jetty's
            // client: the server closed or reset the connection before the whole response arrived
            Map.entry("java.io.EOFException", Category.CONNECTION_RESET),
            // JDK HttpClient: an unknown host, raised as the cause of a ConnectException (see below)
            Map.entry("java.nio.channels.UnresolvedAddressException", Category.DNS_FAILURE),
            // Apache HttpComponents 5: the connect did not complete in time (a SocketTimeoutException,
            // which alone would read as a response timeout)
            Map.entry("org.apache.hc.client5.http.ConnectTimeoutException", Category.CONNECT_TIMEOUT),
            // Apache HttpComponents 5: the server closed the connection before the response
            Map.entry("org.apache.hc.core5.http.ConnectionClosedException", Category.CONNECTION_RESET),
            // Apache HttpComponents 5: a request the client says it did not execute (a subtype of
            // ConnectionClosedException, listed to be explicit). Kept as a reset, so that a POST is
            // still not resent on its word alone.
            Map.entry("org.apache.hc.core5.http.RequestNotExecutedException", Category.CONNECTION_RESET));

    /** Jetty's client reports a connect timeout as a plain SocketTimeoutException with this message. */
    private static final String JETTY_CONNECT_TIMEOUT = "Connect Timeout";

    /**
     * Reactor Netty's {@code AbortedException} (a {@code RuntimeException}) with exactly this message
     * means the connection closed before any byte of the request was written to it (a pooled
     * connection the server had closed): the request never left.
     */
    private static final String REACTOR_NETTY_ABORTED = "reactor.netty.channel.AbortedException";

    private static final String REACTOR_NETTY_CLOSED_BEFORE_SEND = "Connection has been closed BEFORE send operation";

    private ClientLibraryExceptionClassifier() {
    }

    @Override
    public @Nullable Category categoryOf(Throwable error) {
        // The JDK HttpClient wraps an unknown host's UnresolvedAddressException in a ConnectException,
        // which alone would read as a refused connection.
        if (error instanceof java.net.ConnectException
                && error.getCause() instanceof java.nio.channels.UnresolvedAddressException) {
            return Category.DNS_FAILURE;
        }
        if (error.getClass() == java.net.SocketTimeoutException.class && JETTY_CONNECT_TIMEOUT.equals(error.getMessage())) {
            return Category.CONNECT_TIMEOUT;
        }
        for (Class<?> type = error.getClass(); type != null && type != Throwable.class; type = type.getSuperclass()) {
            if (type.getName().equals(REACTOR_NETTY_ABORTED)) {
                // any other AbortedException (a cancelled or disposed exchange) is not known here
                return REACTOR_NETTY_CLOSED_BEFORE_SEND.equals(error.getMessage()) ? Category.CONNECTION_CLOSED_BEFORE_SEND : null;
            }
            Category category = CATEGORIES.get(type.getName());
            if (category != null) {
                return category;
            }
        }
        return null;
    }
}
