package dev.httpretry.core;

/**
 * What one call changes of its client's policy: a request's own limit of attempts, and whether it
 * may be sent again as if it carried an {@code Idempotency-Key} (an HTTP service method marked
 * idempotent, say).
 *
 * @param maxAttempts total attempts including the first, 1 to {@value RetrySettings#MAX_ATTEMPTS_LIMIT}, or 0 for the policy's
 * @param idempotent whether the request may be sent again once it may have reached the server, whatever its method
 */
public record CallOptions(int maxAttempts, boolean idempotent) {

    /** No change: the client's policy as it is. */
    public static final CallOptions NONE = new CallOptions(0, false);

    /**
     * Checks the values.
     * @throws InvalidSettingException if {@code maxAttempts} is out of range
     */
    public CallOptions {
        if (maxAttempts != 0) {
            SettingChecks.checkMaxAttempts(maxAttempts);
        }
    }

    /**
     * These options, with what another set of options sets over them.
     * @param other options set later, which win where they set anything
     * @return the merged options
     */
    public CallOptions with(CallOptions other) {
        return new CallOptions((other.maxAttempts != 0) ? other.maxAttempts : this.maxAttempts, this.idempotent || other.idempotent);
    }
}
