package dev.httpretry.autoconfigure;

import java.time.Duration;

import dev.httpretry.core.RetryPolicyBuilder;
import org.jspecify.annotations.Nullable;

/**
 * How the Retry-After response header is honoured, under {@code retry-after} of the top level and of
 * each client (see {@link PolicyProperties}).
 */
public class RetryAfterProperties {

    /**
     * Whether Retry-After (delta-seconds or HTTP-date) on a retried response lengthens the wait.
     */
    private @Nullable Boolean enabled;

    /**
     * Longest Retry-After waited for; a longer one, or one that ends past the deadline, stops the call at once.
     */
    private @Nullable Duration maxWait;

    /**
     * Whether a retried response without Retry-After is read for RateLimit (t of a policy with r=0), RateLimit-Reset and X-RateLimit-Reset.
     */
    private @Nullable Boolean rateLimitHeaders;

    public @Nullable Boolean getRateLimitHeaders() {
        return this.rateLimitHeaders;
    }

    public void setRateLimitHeaders(@Nullable Boolean rateLimitHeaders) {
        this.rateLimitHeaders = rateLimitHeaders;
    }

    public @Nullable Boolean getEnabled() {
        return this.enabled;
    }

    public void setEnabled(@Nullable Boolean enabled) {
        this.enabled = enabled;
    }

    public @Nullable Duration getMaxWait() {
        return this.maxWait;
    }

    public void setMaxWait(@Nullable Duration maxWait) {
        this.maxWait = maxWait;
    }

    /** Sets what this group sets on a policy; an unset key keeps the value already there. */
    void applyTo(RetryPolicyBuilder builder) {
        PolicyProperties.set(this.enabled, builder::retryAfterEnabled);
        PolicyProperties.set(this.maxWait, builder::retryAfterMaxWait);
        PolicyProperties.set(this.rateLimitHeaders, builder::rateLimitHeaders);
    }
}
