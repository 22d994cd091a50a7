package dev.httpretry.client;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

import dev.httpretry.core.HeaderLookup;
import dev.httpretry.core.RetryClient;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryExecution;
import dev.httpretry.core.RetryListener;
import org.jspecify.annotations.Nullable;

/**
 * How a request of any client type becomes a retried call: which client it runs under (its
 * {@link RetryRequests} attribute, else the client's own), whether it is retried at all, and its
 * {@link RetryExecution}, told to the application's listeners and, at DEBUG, to the decision log.
 * The WebClient filter and the RestClient interceptor each hold one; they only do I/O.
 *
 * <p>Immutable and thread-safe.
 */
public final class RetryCalls {

    private final RetryClients clients;

    private final String clientName;

    private final RetryListener listener;

    private final String via;

    /**
     * Calls under the {@value RetryClients#DEFAULT_CLIENT} client's policy by default.
     * @param clients the clients a request may choose from
     * @param listener told of every attempt, wait and call end (a composite: one that throws never breaks a call)
     * @param via the kind of client that makes the calls, as the decision log names it ({@code WebClient}, {@code RestClient})
     */
    public RetryCalls(RetryClients clients, RetryListener listener, String via) {
        this(clients, RetryClients.DEFAULT_CLIENT, listener, via);
    }

    private RetryCalls(RetryClients clients, String clientName, RetryListener listener, String via) {
        this.clients = Objects.requireNonNull(clients, "clients");
        this.clientName = clients.get(clientName).name();
        this.listener = Objects.requireNonNull(listener, "listener");
        this.via = Objects.requireNonNull(via, "via");
    }

    /**
     * Calls like these that run under another client's policy by default.
     * @param name the client's name
     * @return the calls
     * @throws IllegalArgumentException if there is no client of that name
     */
    public RetryCalls forClient(String name) {
        return new RetryCalls(this.clients, name, this.listener, this.via);
    }

    /**
     * The name of the client whose policy applies to requests that do not choose one.
     * @return the client's name
     */
    public String clientName() {
        return this.clientName;
    }

    /**
     * The client a request runs under: the one its {@link RetryRequests#ATTRIBUTE} names, else this
     * one's; {@code null} when the request is sent once as without the starter (turned off for the
     * request, or a client with {@code enabled: false}).
     * @param attributes the request's attributes
     * @return the client, or {@code null}
     * @throws IllegalArgumentException if the attribute names a client that is not configured
     */
    public @Nullable RetryClient clientFor(Map<String, Object> attributes) {
        Object selected = attributes.getOrDefault(RetryRequests.ATTRIBUTE, this.clientName);
        if (selected == RetryRequests.NO_RETRY) {
            return null;
        }
        RetryClient client = this.clients.find(String.valueOf(selected));
        if (client == null) {
            throw new IllegalArgumentException("No retry client named '" + selected + "' (request attribute "
                    + RetryRequests.ATTRIBUTE + "); the clients are " + this.clients.names());
        }
        return client.enabled() ? client : null;
    }

    /**
     * Starts a request's call under a client, with the request's own options ({@link RetryRequests#maxAttempts},
     * {@link RetryRequests#idempotent}), if it carries any.
     * @param client the client, from {@link #clientFor}
     * @param attributes the request's attributes
     * @param method the request method
     * @param uri the request's URI
     * @param headers the request's headers
     * @param nanoTime the time source of the deadline
     * @return the call's execution
     */
    public RetryExecution start(RetryClient client, Map<String, Object> attributes, String method, URI uri, HeaderLookup headers,
            LongSupplier nanoTime) {
        // the decisions are logged only while the decision log is at DEBUG: otherwise nothing is built for them
        return client.start(method, uri, headers, RetryRequests.options(attributes), RetryLog.wrap(this.via, uri, this.listener),
                nanoTime);
    }

    @Override
    public String toString() {
        return this.via + " calls[client=" + this.clientName + "]";
    }
}
