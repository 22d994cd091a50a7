package dev.httpretry.autoconfigure;

import java.time.Duration;

import dev.httpretry.core.Jitter;
import dev.httpretry.core.RetryPolicyBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Exponential backoff between attempts, under {@code backoff} of the top level and of each client
 * (see {@link PolicyProperties}).
 */
public class BackoffProperties {

    /**
     * Base delay before the first retry.
     */
    private @Nullable Duration initialDelay;

    /**
     * Growth per retry: delay n = initial-delay * multiplier^(n-1); at least 1.0.
     */
    private @Nullable Double multiplier;

    /**
     * Cap on the exponential delay, applied before jitter.
     */
    private @Nullable Duration maxDelay;

    /**
     * Jitter algorithm applied to the capped delay: none, full, equal or decorrelated.
     */
    private @Nullable Jitter jitter;

    public @Nullable Duration getInitialDelay() {
        return this.initialDelay;
    }

    public void setInitialDelay(@Nullable Duration initialDelay) {
        this.initialDelay = initialDelay;
    }

    public @Nullable Double getMultiplier() {
        return this.multiplier;
    }

    public void setMultiplier(@Nullable Double multiplier) {
        this.multiplier = multiplier;
    }

    public @Nullable Duration getMaxDelay() {
        return this.maxDelay;
    }

    public void setMaxDelay(@Nullable Duration maxDelay) {
        this.maxDelay = maxDelay;
    }

    public @Nullable Jitter getJitter() {
        return this.jitter;
    }

    public void setJitter(@Nullable Jitter jitter) {
        this.jitter = jitter;
    }

    /** Sets what this group sets on a policy; an unset key keeps the value already there. */
    void applyTo(RetryPolicyBuilder builder) {
        PolicyProperties.set(this.initialDelay, builder::initialDelay);
        PolicyProperties.set(this.multiplier, builder::multiplier);
        PolicyProperties.set(this.maxDelay, builder::maxDelay);
        PolicyProperties.set(this.jitter, builder::jitter);
    }
}
