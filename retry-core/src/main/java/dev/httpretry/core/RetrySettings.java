package dev.httpretry.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Every setting of a {@link RetryPolicy}, as immutable values that mirror the property groups of
 * the starter ({@code backoff}, {@code retry-after}, {@code budget}). Each record checks its values
 * when it is created and throws {@link InvalidSettingException} naming the setting as configured,
 * the value and what is allowed, so no invalid settings object can exist.
 *
 * <p>This file is where a setting lives: its record component and its default; its check is in
 * {@code SettingChecks}, beside the others. The policy builder sets it, {@link #describe()} shows it
 * (the {@code retry} endpoint's policy view), and the code that uses it reads it from here.
 *
 * @param maxAttempts total attempts including the first; 1 means no retry
 * @param backoff the backoff between attempts
 * @param attemptTimeout the longest one attempt may take until its response headers arrive
 * @param deadline the longest the whole call may take, attempts and waits together
 * @param retryAfter how {@code Retry-After} is honoured
 * @param statuses the response statuses that are retried (500 is governed by {@code serverErrorRetries})
 * @param serverErrorRetries how often a 500 is retried within one call
 * @param connectionRefusedMinDelay the least a refused connection waits
 * @param methods the methods retried once the request may have reached the server
 * @param budget the retry budget of each destination of a client
 * @param bodyReplayLimit the most bytes of a request body kept to send it again; a larger body is sent once
 * @param attemptHeader the header that carries the attempt number on every attempt after the first; empty for none
 * @param hedging whether and when a request that has not answered yet is sent again alongside
 * @param adaptive whether each destination gets a send rate it learns from its pushback
 */
public record RetrySettings(int maxAttempts, Backoff backoff, Duration attemptTimeout, Duration deadline,
        RetryAfterSettings retryAfter, Set<Integer> statuses, int serverErrorRetries, Duration connectionRefusedMinDelay,
        Set<String> methods, BudgetSettings budget, long bodyReplayLimit, String attemptHeader, HedgingSettings hedging,
        boolean adaptive) {

    /** Default {@code max-attempts}: {@value}. */
    public static final int DEFAULT_MAX_ATTEMPTS = 4;

    /** Default {@code backoff.multiplier}: {@value}. */
    public static final double DEFAULT_MULTIPLIER = 2.0;

    /** Default {@code server-error-retries}: {@value}. */
    public static final int DEFAULT_SERVER_ERROR_RETRIES = 1;

    /** Default {@code budget.ratio}: {@value}. */
    public static final double DEFAULT_BUDGET_RATIO = 0.1;

    /** Default {@code budget.min-retries-per-second}: {@value}. */
    public static final int DEFAULT_BUDGET_MIN_RETRIES_PER_SECOND = 10;

    /** The most attempts a policy allows: {@value}. */
    public static final int MAX_ATTEMPTS_LIMIT = 100;

    /** Default {@code backoff.initial-delay}: 1 second. */
    public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(1);

    /** Default {@code backoff.max-delay}: 30 seconds. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);

    /** Default {@code attempt-timeout}: 10 seconds. */
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

    /** Default {@code deadline}: 15 seconds. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(15);

    /** Default {@code retry-after.max-wait}: 60 seconds. */
    public static final Duration DEFAULT_RETRY_AFTER_MAX_WAIT = Duration.ofSeconds(60);

    /** Default {@code connection-refused-min-delay}: 2 seconds. */
    public static final Duration DEFAULT_CONNECTION_REFUSED_MIN_DELAY = Duration.ofSeconds(2);

    /** Default {@code statuses}: 429, 502, 503, 504. */
    public static final Set<Integer> DEFAULT_STATUSES = Set.of(429, 502, 503, 504);

    /** Default {@code methods}: the idempotent methods of RFC 9110 §9.2.2. */
    public static final Set<String> DEFAULT_METHODS = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    /** Default {@code body-replay-limit}: 1 MB ({@value} bytes). */
    public static final long DEFAULT_BODY_REPLAY_LIMIT = 1024 * 1024;

    /** The largest {@code body-replay-limit}: {@value} bytes, what one array holds. */
    public static final long MAX_BODY_REPLAY_LIMIT = Integer.MAX_VALUE - 8;

    /** Default {@code budget.max-destinations}: {@value}. */
    public static final int DEFAULT_MAX_DESTINATIONS = 1000;

    /** Default {@code budget.window}: 10 seconds. */
    public static final Duration DEFAULT_BUDGET_WINDOW = Duration.ofSeconds(RetryBudget.WINDOW_SECONDS);

    /** Default {@code hedging.delay}: 1 second. */
    public static final Duration DEFAULT_HEDGING_DELAY = Duration.ofSeconds(1);

    /** Default {@code hedging.min-delay}: 10 milliseconds. */
    public static final Duration DEFAULT_HEDGING_MIN_DELAY = Duration.ofMillis(10);

    /** Default {@code hedging.max-hedges}: {@value}. */
    public static final int DEFAULT_MAX_HEDGES = 1;

    /** Statuses that are never retried, whatever is configured. */
    public static final Set<Integer> NEVER_RETRIED_STATUSES = Set.of(400, 401, 403, 404);

    /** Every setting at its default. */
    public static final RetrySettings DEFAULTS = new RetrySettings(DEFAULT_MAX_ATTEMPTS,
            new Backoff(DEFAULT_INITIAL_DELAY, DEFAULT_MULTIPLIER, DEFAULT_MAX_DELAY, Jitter.FULL),
            DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_DEADLINE, RetryAfterSettings.DEFAULTS, DEFAULT_STATUSES,
            DEFAULT_SERVER_ERROR_RETRIES, DEFAULT_CONNECTION_REFUSED_MIN_DELAY, DEFAULT_METHODS, BudgetSettings.DEFAULTS,
            DEFAULT_BODY_REPLAY_LIMIT, "", HedgingSettings.DEFAULTS, false);

    /**
     * Checks every value and keeps sorted, unmodifiable copies of the sets.
     * @throws InvalidSettingException if a value is not allowed
     */
    public RetrySettings {
        SettingChecks.checkMaxAttempts(maxAttempts);
        Objects.requireNonNull(backoff, "backoff");
        SettingChecks.positive("attempt-timeout", attemptTimeout);
        SettingChecks.positive("deadline", deadline);
        Objects.requireNonNull(retryAfter, "retryAfter");
        statuses = SettingChecks.checkStatuses(statuses);
        SettingChecks.checkServerErrorRetries(serverErrorRetries);
        SettingChecks.notNegative("connection-refused-min-delay", connectionRefusedMinDelay);
        methods = SettingChecks.checkMethods(methods);
        Objects.requireNonNull(budget, "budget");
        SettingChecks.checkBodyReplayLimit(bodyReplayLimit);
        SettingChecks.checkAttemptHeader(attemptHeader);
        Objects.requireNonNull(hedging, "hedging");
    }

    /**
     * Settings whose destinations do not learn a send rate.
     * @param maxAttempts the most attempts of one call, the first included
     * @param backoff the waits between attempts
     * @param attemptTimeout the longest one attempt may take
     * @param deadline the longest the whole call may take
     * @param retryAfter how {@code Retry-After} is honoured
     * @param statuses the response statuses that are retried
     * @param serverErrorRetries how often a 500 is retried within one call
     * @param connectionRefusedMinDelay the least a refused connection waits
     * @param methods the methods retried once the request may have reached the server
     * @param budget the retry budget of each destination of a client
     * @param bodyReplayLimit the most bytes of a request body kept to send it again
     * @param attemptHeader the header that carries the attempt number; empty for none
     * @param hedging whether and when a request is hedged
     */
    public RetrySettings(int maxAttempts, Backoff backoff, Duration attemptTimeout, Duration deadline,
            RetryAfterSettings retryAfter, Set<Integer> statuses, int serverErrorRetries, Duration connectionRefusedMinDelay,
            Set<String> methods, BudgetSettings budget, long bodyReplayLimit, String attemptHeader, HedgingSettings hedging) {
        this(maxAttempts, backoff, attemptTimeout, deadline, retryAfter, statuses, serverErrorRetries, connectionRefusedMinDelay,
                methods, budget, bodyReplayLimit, attemptHeader, hedging, false);
    }

    /**
     * The settings as the {@code retry} endpoint shows them: keyed by property name, durations in their
     * configured form ({@code 250ms}), in the order of the property table.
     * @return the description, a new map
     */
    public java.util.Map<String, Object> describe() {
        return SettingsView.of(this);
    }

    /**
     * The {@code retry-after} group.
     *
     * @param enabled whether a retried response's {@code Retry-After} lengthens the wait
     * @param maxWait the longest {@code Retry-After} waited for; a longer one stops the call at once
     * @param rateLimitHeaders whether a retried response without {@code Retry-After} is read for
     *     {@code RateLimit}, {@code RateLimit-Reset} and {@code X-RateLimit-Reset} (see {@link RateLimitReset})
     */
    public record RetryAfterSettings(boolean enabled, Duration maxWait, boolean rateLimitHeaders) {

        /** The defaults: enabled, at most 60 seconds, rate-limit headers read. */
        public static final RetryAfterSettings DEFAULTS = new RetryAfterSettings(true, DEFAULT_RETRY_AFTER_MAX_WAIT, true);

        /**
         * Checks the values.
         * @throws InvalidSettingException if the maximum wait is negative
         */
        public RetryAfterSettings {
            SettingChecks.notNegative("retry-after.max-wait", maxWait);
        }

    }

    /**
     * The {@code budget} group.
     *
     * @param enabled whether retries are limited by a budget
     * @param ratio the fraction of first attempts that retries may add, over a rolling window; 0 to 1000
     * @param minRetriesPerSecond the floor of retries per second, so a quiet client can still retry
     * @param maxDestinations the most destinations (scheme, host and port) a client keeps a budget for;
     *     the least recently used is dropped first
     * @param window how long a first attempt and a retry count in the budget: 1 second to 1 hour
     */
    public record BudgetSettings(boolean enabled, double ratio, int minRetriesPerSecond, int maxDestinations, Duration window) {

        /** The defaults: enabled, ratio 0.1, at least 10 retries per second, at most 1000 destinations, a 10-second window. */
        public static final BudgetSettings DEFAULTS = new BudgetSettings(true, DEFAULT_BUDGET_RATIO,
                DEFAULT_BUDGET_MIN_RETRIES_PER_SECOND, DEFAULT_MAX_DESTINATIONS, DEFAULT_BUDGET_WINDOW);

        /**
         * Checks the values.
         * @throws InvalidSettingException if a value is out of range
         */
        public BudgetSettings {
            SettingChecks.checkRatio(ratio);
            SettingChecks.checkMinRetriesPerSecond(minRetriesPerSecond);
            SettingChecks.checkMaxDestinations(maxDestinations);
            if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofHours(1)) > 0) {
                throw new InvalidSettingException("budget.window", Durations.format(window), "must be between 1s and 1h");
            }
        }

        /**
         * A client's budgets, one per destination, each {@linkplain #newBudget a budget with these settings}.
         * @param clock the clock that drives the budgets' windows
         * @return the budgets; {@link RetryBudgets#disabled()} when the budget is off
         */
        public RetryBudgets newBudgets(java.time.Clock clock) {
            return this.enabled ? RetryBudgets.of((destination) -> newBudget(clock), this.maxDestinations) : RetryBudgets.disabled();
        }

        /**
         * One budget with these settings: {@link RetryBudget#windowed}'s design, or unlimited when the budget is off.
         * @param clock the clock that drives the budget's window
         * @return the budget
         */
        public RetryBudget newBudget(java.time.Clock clock) {
            return this.enabled ? new WindowedRetryBudget(this.ratio, this.minRetriesPerSecond, this.window, clock)
                    : RetryBudget.unlimited();
        }

    }

    /**
     * The {@code hedging} group: a request that may be sent again after it reached the server (its
     * method is in {@code methods}, or it carries an {@code Idempotency-Key}) and has no response
     * {@code delay} after its last copy went out is sent once more, up to {@code maxHedges} extra
     * copies, within {@code max-attempts} and the deadline; the first response that is not retried wins.
     *
     * @param enabled whether requests are hedged
     * @param delay how long the last copy goes unanswered before another is sent; with {@code autoDelay},
     *     the delay until the destination has answered {@value LatencyWindow#MIN_SAMPLES} attempts
     * @param maxHedges the most extra copies of one call
     * @param autoDelay whether the delay is the destination's recent 95th percentile latency ({@code delay: auto})
     * @param minDelay the least an automatic delay is
     */
    public record HedgingSettings(boolean enabled, Duration delay, int maxHedges, boolean autoDelay, Duration minDelay) {

        /** The defaults: off, after 1 second, at most 1 extra copy; an automatic delay at least 10 ms. */
        public static final HedgingSettings DEFAULTS = new HedgingSettings(false, DEFAULT_HEDGING_DELAY, DEFAULT_MAX_HEDGES);

        /**
         * Checks the values.
         * @throws InvalidSettingException if a delay is not positive or the number of hedges is out of range
         */
        public HedgingSettings {
            SettingChecks.positive("hedging.delay", delay);
            SettingChecks.checkMaxHedges(maxHedges);
            SettingChecks.positive("hedging.min-delay", minDelay);
        }

        /**
         * Settings with a delay set by hand.
         * @param enabled whether requests are hedged
         * @param delay how long the last copy goes unanswered before another is sent
         * @param maxHedges the most extra copies of one call
         */
        public HedgingSettings(boolean enabled, Duration delay, int maxHedges) {
            this(enabled, delay, maxHedges, false, DEFAULT_HEDGING_MIN_DELAY);
        }
    }
}
