package dev.httpretry.autoconfigure;

import dev.httpretry.core.RetryPolicyBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Destinations that learn a send rate, under {@code adaptive} of the top level and of each client
 * (see {@link PolicyProperties}).
 */
public class AdaptiveProperties {

    /**
     * Whether each destination gets a send rate that falls when it answers 429 or 503 (or pushes back) and climbs back as it answers; every attempt waits for its turn, and a call whose turn would come after its deadline fails at once (reason throttled).
     */
    private @Nullable Boolean enabled;

    public @Nullable Boolean getEnabled() {
        return this.enabled;
    }

    public void setEnabled(@Nullable Boolean enabled) {
        this.enabled = enabled;
    }

    /** Sets what this group sets on a policy; an unset key keeps the value already there. */
    void applyTo(RetryPolicyBuilder builder) {
        PolicyProperties.set(this.enabled, builder::adaptive);
    }
}
