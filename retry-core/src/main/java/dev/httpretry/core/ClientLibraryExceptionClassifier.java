package dev.httpretry.core;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Classifies the exceptions of the HTTP client libraries a {@code WebClient} runs on (Reactor
 * Netty and Netty, and the JDK's {@code java.net.http}). Types are matched by name along the class
 * hierarchy, so none of these libraries has to be on the classpath. Adapters give it to their
 * policies ({@link RetryPolicy.Builder#exceptionClassifier}). Thread-safe.
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
            // JDK HttpClient connector
            Map.entry("java.net.http.HttpConnectTimeoutException", Category.CONNECT_TIMEOUT),
            // JDK HttpClient: no response in time (Spring's JdkClientHttpRequestFactory read timeout)
            Map.entry("java.net.http.HttpTimeoutException", Category.RESPONSE_TIMEOUT));

    private ClientLibraryExceptionClassifier() {
    }

    @Override
    public @Nullable Category categoryOf(Throwable error) {
        for (Class<?> type = error.getClass(); type != null && type != Throwable.class; type = type.getSuperclass()) {
            Category category = CATEGORIES.get(type.getName());
            if (category != null) {
                return category;
            }
        }
        return null;
    }
}
