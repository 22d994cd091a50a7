package dev.httpretry.core;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/** What one attempt produced: a response (its status and {@code Retry-After}), or an exception. */
public sealed interface Outcome {

    /**
     * A response with this status.
     * @param status the HTTP status code
     * @param retryAfter the raw {@code Retry-After} header value, if any
     * @return the outcome
     */
    static Outcome response(int status, @Nullable String retryAfter) {
        return new Response(status, retryAfter);
    }

    /**
     * A response with this status and no {@code Retry-After}.
     * @param status the HTTP status code
     * @return the outcome
     */
    static Outcome response(int status) {
        return new Response(status, null);
    }

    /**
     * An attempt that ended in an exception.
     * @param error the exception, possibly wrapping the real cause
     * @return the outcome
     */
    static Outcome failure(Throwable error) {
        return new Failure(error);
    }

    /**
     * A response.
     * @param status the HTTP status code, 100 to 999
     * @param retryAfter the raw {@code Retry-After} header value, if any; parsed only when needed
     */
    record Response(int status, @Nullable String retryAfter) implements Outcome {

        /**
         * Checks the status.
         * @throws IllegalArgumentException if the status is not a three-digit code
         */
        public Response {
            if (status < 100 || status > 999) {
                throw new IllegalArgumentException("Invalid HTTP status (" + status + "): must be 100 to 999");
            }
        }
    }

    /**
     * An exception instead of a response.
     * @param error the exception as raised, with its cause chain
     */
    record Failure(Throwable error) implements Outcome {

        /** Checks the error is present. */
        public Failure {
            Objects.requireNonNull(error, "error");
        }
    }
}
