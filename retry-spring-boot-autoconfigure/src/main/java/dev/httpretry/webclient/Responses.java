package dev.httpretry.webclient;

import java.util.function.Consumer;

import dev.httpretry.core.HeaderLookup;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.web.reactive.function.client.ClientResponse;

/**
 * What the filter reads from a response, and how it releases responses nobody will read, so their
 * buffers are freed and their connections go back to the pool.
 */
final class Responses {

    /** Reactor Netty's connection type, when Reactor Netty is the connector (it is optional, so found by name). */
    static final @Nullable Class<?> REACTOR_NETTY_CONNECTION = loadClass("reactor.netty.Connection");

    private Responses() {
    }

    /** A response's headers, for the execution's rules (the pushback of a response that is not a success). */
    static HeaderLookup headers(ClientResponse response) {
        return response.headers().asHttpHeaders()::get;
    }

    /**
     * The caller's context, plus a discard hook and a dropped-value hook: a response (or connection)
     * the connector throws away when a cancel overtakes it is released ({@link #releaseDiscarded}).
     * Reactor Netty discards such a connection when the exchange was cancelled, but drops it (Reactor's
     * {@code onNextDropped}) when its connect sink had already ended; both are released.
     */
    static Context releasingContext(Context caller) {
        return Operators.enableOnDiscard(caller, Responses::releaseDiscarded)
            .put(ON_NEXT_DROPPED_LOCAL, (Consumer<Object>) Responses::releaseDropped);
    }

    /**
     * The context key of a subscriber's own {@code onNextDropped} hook, which Reactor's
     * {@code Operators.onNextDropped} asks before the global one ({@code Hooks.KEY_ON_NEXT_DROPPED},
     * not public).
     */
    static final String ON_NEXT_DROPPED_LOCAL = "reactor.onNextDropped.local";

    private static final Log logger = LogFactory.getLog(Responses.class);

    static void release(ClientResponse response) {
        response.releaseBody().subscribe(null, (error) -> { });
    }

    /**
     * A cancel (the attempt timeout, the deadline, the caller) that overtakes a response as it
     * arrives makes the connector throw the response away as a discarded value, and nobody would
     * ever read its body: Spring's Reactor connector discards its {@link ClientHttpResponse}, and
     * Reactor Netty the connection that holds it. Release them.
     */
    static void releaseDiscarded(Object value) {
        if (value instanceof ClientResponse response) {
            release(response);
        }
        else if (value instanceof ClientHttpResponse response) {
            response.getBody().subscribe(DataBufferUtils::release, (error) -> { });
        }
        else if (REACTOR_NETTY_CONNECTION != null && REACTOR_NETTY_CONNECTION.isInstance(value)) {
            ((Disposable) value).dispose();
        }
    }

    /**
     * A value the connector dropped in an attempt's chain (signalled after its source had ended):
     * a response or connection is released as a discarded one is; anything else is logged at DEBUG,
     * as Reactor does without a hook.
     */
    static void releaseDropped(Object value) {
        if (value instanceof ClientResponse || value instanceof ClientHttpResponse
                || (REACTOR_NETTY_CONNECTION != null && REACTOR_NETTY_CONNECTION.isInstance(value))) {
            releaseDiscarded(value);
        }
        else if (logger.isDebugEnabled()) {
            logger.debug("onNextDropped: " + value);
        }
    }

    private static @Nullable Class<?> loadClass(String name) {
        try {
            return Class.forName(name, false, Responses.class.getClassLoader());
        }
        catch (ClassNotFoundException | LinkageError ex) {
            return null;
        }
    }
}
