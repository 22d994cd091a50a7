package dev.httpretry.autoconfigure;

import java.time.Duration;

import dev.httpretry.core.RetryPolicyBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Extra copies of requests that have not answered yet (WebClient), under {@code hedging} of the top
 * level and of each client (see {@link PolicyProperties}).
 */
public class HedgingProperties {

    /**
     * Whether a request that may be sent again (its method is in methods, or it carries an Idempotency-Key) gets another copy when the last one has not answered within the delay; the first response that is not retried wins.
     */
    private @Nullable Boolean enabled;

    /**
     * How long the last copy goes unanswered before another is sent; about the 95th percentile of the destination's latency.
     */
    private @Nullable Duration delay;

    /**
     * Most extra copies of one call, within max-attempts; each is drawn from the budget.
     */
    private @Nullable Integer maxHedges;

    public @Nullable Boolean getEnabled() {
        return this.enabled;
    }

    public void setEnabled(@Nullable Boolean enabled) {
        this.enabled = enabled;
    }

    public @Nullable Duration getDelay() {
        return this.delay;
    }

    public void setDelay(@Nullable Duration delay) {
        this.delay = delay;
    }

    public @Nullable Integer getMaxHedges() {
        return this.maxHedges;
    }

    public void setMaxHedges(@Nullable Integer maxHedges) {
        this.maxHedges = maxHedges;
    }

    /** Sets what this group sets on a policy; an unset key keeps the value already there. */
    void applyTo(RetryPolicyBuilder builder) {
        PolicyProperties.set(this.enabled, builder::hedgingEnabled);
        PolicyProperties.set(this.delay, builder::hedgingDelay);
        PolicyProperties.set(this.maxHedges, builder::maxHedges);
    }
}
