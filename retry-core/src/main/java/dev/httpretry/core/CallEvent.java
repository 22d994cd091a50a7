package dev.httpretry.core;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A logical call ended: its last outcome went to the caller (or the caller cancelled).
 *
 * @param client the client's name
 * @param method the request method
 * @param attempts how many attempts were sent
 * @param reason why no further attempt was made ({@link StopReason#NONE} on success)
 * @param lastOutcome what the caller got: the last attempt's outcome, or the exception the call ended
 *     with when it ended between attempts (the deadline passed, the application stopped); {@code null}
 *     if the call was cancelled before any attempt ended
 */
public record CallEvent(String client, String method, int attempts, StopReason reason, @Nullable Outcome lastOutcome) {

    /** Checks the arguments. */
    public CallEvent {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * Whether the call succeeded.
     * @return {@code true} when the last outcome was a success
     */
    public boolean success() {
        return reason.isSuccess();
    }

    /**
     * Whether more than one attempt was sent.
     * @return {@code true} if the call was retried
     */
    public boolean retried() {
        return attempts > 1;
    }
}
