package dev.httpretry.core;

/**
 * What kind of outcome an attempt had, and so whether it is worth another attempt.
 *
 * <p>{@link #isTransient()} says whether the failure may go away by itself;
 * {@link #mayHaveReachedServer()} says whether the server may have seen (and acted on) the request,
 * which decides whether a non-idempotent request may be sent again.
 */
public enum Category {

    /** A status below 400: nothing to retry. */
    SUCCESS(false, true),

    /** A 4xx other than a retried one (400, 401, 403, 404, ...) or a 5xx not configured: retrying repeats the same answer. */
    PERMANENT(false, true),

    /** 429 Too Many Requests: retried, honouring {@code Retry-After}. */
    RATE_LIMITED(true, true),

    /** 500 Internal Server Error: "maybe" transient, retried at most {@code server-error-retries} times. */
    SERVER_ERROR(true, true),

    /** A status in the configured {@code statuses} (502, 503, 504 by default). */
    UNAVAILABLE(true, true),

    /** The connection was refused: nothing was sent; the server may be restarting. */
    CONNECTION_REFUSED(true, false),

    /** The connection could not be established in time: nothing was sent. */
    CONNECT_TIMEOUT(true, false),

    /** The host name could not be resolved: nothing was sent. */
    DNS_FAILURE(true, false),

    /**
     * A connection closed before any byte of the request was written to it (Reactor Netty's
     * "Connection has been closed BEFORE send operation"), or one that was never connected
     * ({@code NotYetConnectedException}): nothing was sent, and the failure says nothing about the
     * server's health, so the request is sent again at once, on another connection, without drawing
     * from the retry budget (the server has not seen it yet).
     */
    CONNECTION_CLOSED_BEFORE_SEND(true, false),

    /** The connection was reset or closed before a response arrived: the request may have been processed. */
    CONNECTION_RESET(true, true),

    /** No response within the attempt timeout: the request may have been processed. */
    RESPONSE_TIMEOUT(true, true),

    /** Another I/O error while sending or receiving: possibly transient, possibly processed. */
    IO_ERROR(true, true),

    /**
     * The client itself is saturated (no pooled connection could be acquired in time): nothing was
     * sent, and retrying would only add load where it already piles up.
     */
    LOCAL_SATURATION(false, false),

    /** Any other exception (a bug, a codec or TLS configuration problem): not retried. */
    UNKNOWN_ERROR(false, true);

    private final boolean transientFailure;

    private final boolean mayHaveReachedServer;

    Category(boolean transientFailure, boolean mayHaveReachedServer) {
        this.transientFailure = transientFailure;
        this.mayHaveReachedServer = mayHaveReachedServer;
    }

    /**
     * Whether this failure may go away if the request is sent again.
     * @return {@code true} for failures worth retrying
     */
    public boolean isTransient() {
        return transientFailure;
    }

    /**
     * Whether the server may have received the request; {@code false} only when it provably never
     * left the client.
     * @return {@code false} for refused connections, connect timeouts, DNS failures, connections closed
     *     before the request was written and local saturation
     */
    public boolean mayHaveReachedServer() {
        return mayHaveReachedServer;
    }
}
