package dev.httpretry.autoconfigure;

import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;

import dev.httpretry.core.Jitter;
import dev.httpretry.core.RetryPolicy;
import org.jspecify.annotations.Nullable;

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

    private final Backoff backoff = new Backoff();

    /**
     * Timeout of one attempt, until the response headers arrive; the time left before the deadline caps it further.
     */
    private @Nullable Duration attemptTimeout;

    /**
     * Time allowed for the whole call: all attempts and all waits together.
     */
    private @Nullable Duration deadline;

    private final RetryAfter retryAfter = new RetryAfter();

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

    private final Budget budget = new Budget();

    /**
     * Most bytes of a request body kept so that every attempt sends the same bytes; a larger body is sent once and not retried once it may have left.
     */
    private @Nullable DataSize bodyReplayLimit;

    /**
     * Header that carries the attempt number (2, 3, ...) on every attempt after the first, such as X-Retry-Attempt; empty for none.
     */
    private @Nullable String attemptHeader;

    private final Hedging hedging = new Hedging();

    public @Nullable Integer getMaxAttempts() {
        return this.maxAttempts;
    }

    public void setMaxAttempts(@Nullable Integer maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public Backoff getBackoff() {
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

    public RetryAfter getRetryAfter() {
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

    public Budget getBudget() {
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

    public Hedging getHedging() {
        return this.hedging;
    }

    /**
     * Sets each value given here on the builder; one that is not set leaves the builder's value.
     * @throws dev.httpretry.core.InvalidSettingException if a value is not allowed
     */
    void applyTo(RetryPolicy.Builder builder) {
        set(this.maxAttempts, builder::maxAttempts);
        set(this.backoff.initialDelay, builder::initialDelay);
        set(this.backoff.multiplier, builder::multiplier);
        set(this.backoff.maxDelay, builder::maxDelay);
        set(this.backoff.jitter, builder::jitter);
        set(this.attemptTimeout, builder::attemptTimeout);
        set(this.deadline, builder::deadline);
        set(this.retryAfter.enabled, builder::retryAfterEnabled);
        set(this.retryAfter.maxWait, builder::retryAfterMaxWait);
        set(this.statuses, builder::statuses);
        set(this.serverErrorRetries, builder::serverErrorRetries);
        set(this.connectionRefusedMinDelay, builder::connectionRefusedMinDelay);
        set(this.methods, builder::methods);
        set(this.budget.enabled, builder::budgetEnabled);
        set(this.budget.ratio, builder::budgetRatio);
        set(this.budget.minRetriesPerSecond, builder::budgetMinRetriesPerSecond);
        set(this.budget.maxDestinations, builder::budgetMaxDestinations);
        set(this.retryAfter.rateLimitHeaders, builder::rateLimitHeaders);
        set((this.bodyReplayLimit != null) ? this.bodyReplayLimit.toBytes() : null, builder::bodyReplayLimit);
        set(this.attemptHeader, builder::attemptHeader);
        set(this.hedging.enabled, builder::hedgingEnabled);
        set(this.hedging.delay, builder::hedgingDelay);
        set(this.hedging.maxHedges, builder::maxHedges);
    }

    private static <T> void set(@Nullable T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }

    /** Exponential backoff between attempts. */
    public static class Backoff {

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
    }

    /** How the Retry-After response header is honoured. */
    public static class RetryAfter {

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
    }

    /** Extra copies of requests that have not answered yet (WebClient). */
    public static class Hedging {

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
    }

    /** The retry budget of each destination of a client. */
    public static class Budget {

        /**
         * Whether each client has a retry budget, so retries cannot multiply the load on a failing server.
         */
        private @Nullable Boolean enabled;

        /**
         * Fraction of first attempts that retries may add, over a rolling 10-second window.
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
    }
}
