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
     * A response with this status and the headers a server pushes back with.
     * @param status the HTTP status code
     * @param retryAfter the raw {@code Retry-After} header value, if any
     * @param rateLimit the raw {@code RateLimit} header value(s), joined with {@code ", "}, if any
     * @param rateLimitReset the raw {@code RateLimit-Reset} header value, if any
     * @param xRateLimitReset the raw {@code X-RateLimit-Reset} header value, if any
     * @return the outcome
     */
    static Outcome response(int status, @Nullable String retryAfter, @Nullable String rateLimit,
            @Nullable String rateLimitReset, @Nullable String xRateLimitReset) {
        return new Response(status, retryAfter, rateLimit, rateLimitReset, xRateLimitReset);
    }

    /**
     * A response with this status and the headers a server pushes back with ({@code Retry-After}, and
     * the rate-limit headers {@link RateLimitReset} reads), looked up from the response's headers.
     * @param status the HTTP status code
     * @param headers the response's headers
     * @return the outcome
     */
    static Outcome fromHeaders(int status, HeaderLookup headers) {
        java.util.List<String> rateLimit = headers.values(RateLimitReset.RATE_LIMIT);
        return new Response(status, headers.first("Retry-After"),
                (rateLimit != null && !rateLimit.isEmpty()) ? String.join(", ", rateLimit) : null,
                headers.first(RateLimitReset.RATE_LIMIT_RESET), headers.first(RateLimitReset.X_RATE_LIMIT_RESET));
    }

    /**
     * A response with this status and no {@code Retry-After}.
     * @param status the HTTP status code
     * @return the outcome
     */
    static Outcome response(int status) {
        return (status >= 200 && status < 300) ? SuccessResponses.ALL[status - 200] : new Response(status, null);
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
     * A response. Header values are raw and parsed only when needed.
     * @param status the HTTP status code, 100 to 999
     * @param retryAfter the raw {@code Retry-After} header value, if any
     * @param rateLimit the raw {@code RateLimit} header value(s), if any
     * @param rateLimitReset the raw {@code RateLimit-Reset} header value, if any
     * @param xRateLimitReset the raw {@code X-RateLimit-Reset} header value, if any
     */
    record Response(int status, @Nullable String retryAfter, @Nullable String rateLimit, @Nullable String rateLimitReset,
            @Nullable String xRateLimitReset) implements Outcome {

        /**
         * A response with only a {@code Retry-After}, if any.
         * @param status the HTTP status code, 100 to 999
         * @param retryAfter the raw {@code Retry-After} header value, if any
         */
        public Response(int status, @Nullable String retryAfter) {
            this(status, retryAfter, null, null, null);
        }

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
