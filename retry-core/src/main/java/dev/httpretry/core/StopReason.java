package dev.httpretry.core;

import java.util.Locale;

/** Why a call made no further attempt. {@link #tagValue()} is the metric tag value. */
public enum StopReason {

    /** The last outcome was a success: nothing to retry. */
    NONE,

    /** The failure is permanent (400, 401, 403, 404, a 500 when 500s are not retried, an unknown error). */
    NOT_RETRYABLE,

    /** {@code max-attempts} reached, or the retries allowed for a 500 used up. */
    EXHAUSTED,

    /** The next wait (or attempt) would end after the deadline. */
    DEADLINE,

    /** The client's retry budget is spent: the server is likely overloaded already. */
    BUDGET,

    /** The server asked to wait longer than {@code retry-after.max-wait}. */
    RETRY_AFTER_TOO_LONG,

    /** The method is not idempotent, the request may have reached the server, and it has no {@code Idempotency-Key}. */
    UNSAFE_METHOD,

    /**
     * The request's body could not be kept to send it again (larger than {@code body-replay-limit}, or
     * its first sending ended early), and the request may have reached the server.
     */
    BODY_NOT_REPLAYABLE,

    /** The caller cancelled the call. */
    CANCELLED,

    /**
     * The client is shutting down: a wait before the next attempt could not be started (its timer
     * was refused) or was cut short when the application closed.
     */
    SHUTDOWN,

    /**
     * The destination's learned send rate ({@code adaptive.enabled}) gave an attempt its turn only
     * after the call's deadline: the call failed at once, without sending it.
     */
    THROTTLED;

    /**
     * The lower-case name used as a metric tag ({@code not_retryable}, ...).
     * @return the tag value
     */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether a call that stopped for this reason succeeded.
     * @return {@code true} only for {@link #NONE}
     */
    public boolean isSuccess() {
        return this == NONE;
    }

    /** Whether an outcome stopped for this reason answers for the call, whichever copy of a hedged call got it. */
    boolean isFinal() {
        return this == NOT_RETRYABLE || this == UNSAFE_METHOD || this == BODY_NOT_REPLAYABLE;
    }
}
