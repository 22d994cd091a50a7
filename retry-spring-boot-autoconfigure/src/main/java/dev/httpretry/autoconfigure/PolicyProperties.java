package dev.httpretry.autoconfigure;

import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;

import dev.httpretry.core.RetryPolicy;
import dev.httpretry.core.RetryPolicyBuilder;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;

/**
 * The retry settings shared by the top level ({@code http.retry.*}) and each client
 * ({@code http.retry.clients.<name>.*}). A value left unset falls back, key by key, to the top
 * level and then to the defaults of {@link dev.httpretry.core.RetryPolicy}.
 */
public class PolicyProperties {

    /**
     * Total attempts including the first; 1 means no retry.
     */
    private @Nullable Integer maxAttempts;

    @NestedConfigurationProperty
    private final BackoffProperties backoff = new BackoffProperties();

    /**
     * Timeout of one attempt, until the response headers arrive; the time left before the deadline caps it further.
     */
    private @Nullable Duration attemptTimeout;

    /**
     * Time allowed for the whole call: all attempts and all waits together.
     */
    private @Nullable Duration deadline;

    @NestedConfigurationProperty
    private final RetryAfterProperties retryAfter = new RetryAfterProperties();

    /**
     * Response statuses that are retried (500 is governed by server-error-retries; 400, 401, 403 and 404 never are).
     */
    private @Nullable Set<Integer> statuses;

    /**
     * How often a 500 is retried within one call.
     */
    private @Nullable Integer serverErrorRetries;

    /**
     * Least wait after a refused connection, since the server may be restarting.
     */
    private @Nullable Duration connectionRefusedMinDelay;

    /**
     * Methods retried once the request may have reached the server; others only with an Idempotency-Key header or when the request never left the client.
     */
    private @Nullable Set<String> methods;

    @NestedConfigurationProperty
    private final BudgetProperties budget = new BudgetProperties();

    /**
     * Most bytes of a request body kept so that every attempt sends the same bytes; a larger body is sent once and not retried once it may have left.
     */
    private @Nullable DataSize bodyReplayLimit;

    /**
     * Header that carries the attempt number (2, 3, ...) on every attempt after the first, such as X-Retry-Attempt; empty for none.
     */
    private @Nullable String attemptHeader;

    @NestedConfigurationProperty
    private final HedgingProperties hedging = new HedgingProperties();

    @NestedConfigurationProperty
    private final AdaptiveProperties adaptive = new AdaptiveProperties();

    public @Nullable Integer getMaxAttempts() {
        return this.maxAttempts;
    }

    public void setMaxAttempts(@Nullable Integer maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public BackoffProperties getBackoff() {
        return this.backoff;
    }

    public @Nullable Duration getAttemptTimeout() {
        return this.attemptTimeout;
    }

    public void setAttemptTimeout(@Nullable Duration attemptTimeout) {
        this.attemptTimeout = attemptTimeout;
    }

    public @Nullable Duration getDeadline() {
        return this.deadline;
    }

    public void setDeadline(@Nullable Duration deadline) {
        this.deadline = deadline;
    }

    public RetryAfterProperties getRetryAfter() {
        return this.retryAfter;
    }

    public @Nullable Set<Integer> getStatuses() {
        return this.statuses;
    }

    public void setStatuses(@Nullable Set<Integer> statuses) {
        this.statuses = statuses;
    }

    public @Nullable Integer getServerErrorRetries() {
        return this.serverErrorRetries;
    }

    public void setServerErrorRetries(@Nullable Integer serverErrorRetries) {
        this.serverErrorRetries = serverErrorRetries;
    }

    public @Nullable Duration getConnectionRefusedMinDelay() {
        return this.connectionRefusedMinDelay;
    }

    public void setConnectionRefusedMinDelay(@Nullable Duration connectionRefusedMinDelay) {
        this.connectionRefusedMinDelay = connectionRefusedMinDelay;
    }

    public @Nullable Set<String> getMethods() {
        return this.methods;
    }

    public void setMethods(@Nullable Set<String> methods) {
        this.methods = methods;
    }

    public BudgetProperties getBudget() {
        return this.budget;
    }

    public @Nullable DataSize getBodyReplayLimit() {
        return this.bodyReplayLimit;
    }

    public void setBodyReplayLimit(@Nullable DataSize bodyReplayLimit) {
        this.bodyReplayLimit = bodyReplayLimit;
    }

    public @Nullable String getAttemptHeader() {
        return this.attemptHeader;
    }

    public void setAttemptHeader(@Nullable String attemptHeader) {
        this.attemptHeader = attemptHeader;
    }

    public HedgingProperties getHedging() {
        return this.hedging;
    }

    public AdaptiveProperties getAdaptive() {
        return this.adaptive;
    }

    /**
     * Sets each value given here on the builder; one that is not set leaves the builder's value.
     * @throws dev.httpretry.core.InvalidSettingException if a value is not allowed
     */
    void applyTo(RetryPolicyBuilder builder) {
        set(this.maxAttempts, builder::maxAttempts);
        this.backoff.applyTo(builder);
        set(this.attemptTimeout, builder::attemptTimeout);
        set(this.deadline, builder::deadline);
        this.retryAfter.applyTo(builder);
        set(this.statuses, builder::statuses);
        set(this.serverErrorRetries, builder::serverErrorRetries);
        set(this.connectionRefusedMinDelay, builder::connectionRefusedMinDelay);
        set(this.methods, builder::methods);
        this.budget.applyTo(builder);
        set((this.bodyReplayLimit != null) ? this.bodyReplayLimit.toBytes() : null, builder::bodyReplayLimit);
        set(this.attemptHeader, builder::attemptHeader);
        this.hedging.applyTo(builder);
        this.adaptive.applyTo(builder);
    }

    /** Sets a value that is set; an unset one leaves the builder's. */
    static <T> void set(@Nullable T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }
}
