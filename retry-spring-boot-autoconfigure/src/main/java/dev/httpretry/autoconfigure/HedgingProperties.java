package dev.httpretry.autoconfigure;

import java.time.Duration;

import dev.httpretry.core.InvalidSettingException;
import dev.httpretry.core.RetryPolicyBuilder;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationStyle;

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
     * How long the last copy goes unanswered before another is sent: a duration (about the 95th percentile of the destination's latency), or auto to take each destination's recent 95th percentile, never below min-delay (1s until it has answered 20 attempts).
     */
    private @Nullable String delay;

    /**
     * The least an automatic delay (delay: auto) is.
     */
    private @Nullable Duration minDelay;

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

    public @Nullable String getDelay() {
        return this.delay;
    }

    public void setDelay(@Nullable String delay) {
        this.delay = delay;
    }

    public @Nullable Duration getMinDelay() {
        return this.minDelay;
    }

    public void setMinDelay(@Nullable Duration minDelay) {
        this.minDelay = minDelay;
    }

    public @Nullable Integer getMaxHedges() {
        return this.maxHedges;
    }

    public void setMaxHedges(@Nullable Integer maxHedges) {
        this.maxHedges = maxHedges;
    }

    /** The value of {@code delay} that takes each destination's latency. */
    static final String AUTO = "auto";

    private static Duration parse(String delay) {
        try {
            return DurationStyle.detectAndParse(delay.strip());
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidSettingException("hedging.delay", delay, "must be a duration such as 50ms or 1s, or auto");
        }
    }

    /** Sets what this group sets on a policy; an unset key keeps the value already there. */
    void applyTo(RetryPolicyBuilder builder) {
        PolicyProperties.set(this.enabled, builder::hedgingEnabled);
        String delay = this.delay;
        if (delay != null) {
            if (AUTO.equalsIgnoreCase(delay.strip())) {
                builder.hedgingAutoDelay();
            }
            else {
                builder.hedgingDelay(parse(delay));
            }
        }
        PolicyProperties.set(this.minDelay, builder::hedgingMinDelay);
        PolicyProperties.set(this.maxHedges, builder::maxHedges);
    }
}
