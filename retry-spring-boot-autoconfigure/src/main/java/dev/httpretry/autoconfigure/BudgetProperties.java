package dev.httpretry.autoconfigure;

import java.time.Duration;

import dev.httpretry.core.RetryPolicyBuilder;
import org.jspecify.annotations.Nullable;

/**
 * The retry budget of each destination of a client, under {@code budget} of the top level and of each
 * client (see {@link PolicyProperties}).
 */
public class BudgetProperties {

    /**
     * Whether each client has a retry budget, so retries cannot multiply the load on a failing server.
     */
    private @Nullable Boolean enabled;

    /**
     * Fraction of first attempts that retries may add, over the rolling window.
     */
    private @Nullable Double ratio;

    /**
     * Floor of retries per second, so a quiet client can still retry.
     */
    private @Nullable Integer minRetriesPerSecond;

    /**
     * Most destinations (scheme, host and port) a client keeps a budget for; the least recently used is dropped first.
     */
    private @Nullable Integer maxDestinations;

    /**
     * How long a first attempt and a retry count in the budget: the rolling window, 1s to 1h.
     */
    private @Nullable Duration window;

    public @Nullable Duration getWindow() {
        return this.window;
    }

    public void setWindow(@Nullable Duration window) {
        this.window = window;
    }

    public @Nullable Integer getMaxDestinations() {
        return this.maxDestinations;
    }

    public void setMaxDestinations(@Nullable Integer maxDestinations) {
        this.maxDestinations = maxDestinations;
    }

    public @Nullable Boolean getEnabled() {
        return this.enabled;
    }

    public void setEnabled(@Nullable Boolean enabled) {
        this.enabled = enabled;
    }

    public @Nullable Double getRatio() {
        return this.ratio;
    }

    public void setRatio(@Nullable Double ratio) {
        this.ratio = ratio;
    }

    public @Nullable Integer getMinRetriesPerSecond() {
        return this.minRetriesPerSecond;
    }

    public void setMinRetriesPerSecond(@Nullable Integer minRetriesPerSecond) {
        this.minRetriesPerSecond = minRetriesPerSecond;
    }

    /** Sets what this group sets on a policy; an unset key keeps the value already there. */
    void applyTo(RetryPolicyBuilder builder) {
        PolicyProperties.set(this.enabled, builder::budgetEnabled);
        PolicyProperties.set(this.ratio, builder::budgetRatio);
        PolicyProperties.set(this.minRetriesPerSecond, builder::budgetMinRetriesPerSecond);
        PolicyProperties.set(this.maxDestinations, builder::budgetMaxDestinations);
        PolicyProperties.set(this.window, builder::budgetWindow);
    }
}
