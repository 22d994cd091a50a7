package dev.httpretry.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * When and how long to wait before sending a request again.
 *
 * <p>A policy is immutable and thread-safe, and may be shared by any number of calls. Its
 * {@link #settings() settings} are plain values; each call {@link #start starts} an execution of
 * its own that keeps the call's state and answers every outcome with a decision. The
 * {@link #decide decision} itself is a pure function of the attempt it is given, the policy's random
 * source and clock, and the budget it is handed. Create one with {@link #builder()}; every setting has
 * the default documented in {@link RetrySettings} and in the starter's property table.
 */
public interface RetryPolicy {

    /**
     * Every setting of this policy.
     * @return the settings
     */
    RetrySettings settings();

    /**
     * Classifies what an attempt produced, under this policy's statuses.
     * @param outcome the attempt's outcome
     * @return its category
     */
    Category classify(Outcome outcome);

    /**
     * Decides whether to send another attempt, and after how long.
     *
     * <p>Rules, in order: a success or permanent failure stops; a 500 beyond
     * {@code server-error-retries} or an attempt at {@code max-attempts} stops as exhausted; a
     * method outside {@code methods} without an {@code Idempotency-Key} stops if the request may have
     * reached the server; the wait is the backoff delay, lengthened to {@code Retry-After} (which
     * stops the call if above {@code retry-after.max-wait}) and, for a refused connection, to
     * {@code connection-refused-min-delay}; a wait that would not end before the deadline stops;
     * finally the budget must grant the retry. Only a decision to retry takes from the budget.
     * @param attempt the attempt that just ended
     * @param budget the budget to draw from
     * @return retry after a delay, or stop with a reason
     */
    RetryDecision decide(Attempt attempt, RetryBudget budget);

    /**
     * Starts one logical call: the returned execution counts its attempts, keeps its deadline,
     * decides on each outcome and tells the listener of each attempt, wait and the call's end. The
     * budget is credited with the call's first attempt at once.
     * @param client the client's name, for the listener's events
     * @param method the request method
     * @param idempotencyKey whether the request carries an {@code Idempotency-Key} header
     * @param budget the budget the call's retries draw from
     * @param listener told of the call's events
     * @param nanoTime the time source, in nanoseconds, that measures the deadline (a scheduler's
     *     clock, so virtual-time tests stay exact)
     * @return the call's execution, not thread-safe: its owner calls it for one event at a time
     */
    RetryExecution start(String client, String method, boolean idempotencyKey, RetryBudget budget,
            RetryListener listener, LongSupplier nanoTime);

    /**
     * A new budget with this policy's budget settings, or {@link RetryBudget#unlimited()} when the budget is disabled.
     * @param clock the clock that drives the budget's window
     * @return a budget
     */
    RetryBudget newBudget(Clock clock);

    /**
     * New budgets, one per destination, with this policy's budget settings (nothing kept when the budget is disabled).
     * @param clock the clock that drives the budgets' windows
     * @return the budgets of one client
     */
    RetryBudgets newBudgets(Clock clock);

    /**
     * A builder that starts from this policy's settings.
     * @return a new builder
     */
    Builder toBuilder();

    /**
     * A builder with every setting at its default.
     * @return a new builder
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * A policy with every setting at its default.
     * @return the default policy
     */
    static RetryPolicy defaults() {
        return builder().build();
    }

    /**
     * Builds a {@link RetryPolicy}. Each setter checks its value at once and throws
     * {@link InvalidSettingException} quoting it; {@link #build()} checks the settings that depend on
     * each other. Not thread-safe; {@link #build()} copies, so a builder may be reused as a template.
     */
    final class Builder {

        private int maxAttempts;

        private Duration initialDelay;

        private double multiplier;

        private Duration maxDelay;

        private Jitter jitter;

        private Duration attemptTimeout;

        private Duration deadline;

        private boolean retryAfterEnabled;

        private Duration retryAfterMaxWait;

        private Set<Integer> statuses;

        private int serverErrorRetries;

        private Duration connectionRefusedMinDelay;

        private Set<String> methods;

        private boolean budgetEnabled;

        private double budgetRatio;

        private int budgetMinRetriesPerSecond;

        private int budgetMaxDestinations;

        private boolean rateLimitHeaders;

        private long bodyReplayLimit;

        private String attemptHeader;

        private boolean hedgingEnabled;

        private Duration hedgingDelay;

        private int maxHedges;

        private ExceptionClassifier exceptionClassifier = error -> null;

        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

        private Clock clock = Clock.systemUTC();

        Builder() {
            settings(RetrySettings.DEFAULTS);
        }

        /**
         * Takes every setting from these settings.
         * @param settings the settings
         * @return this builder
         */
        public Builder settings(RetrySettings settings) {
            this.maxAttempts = settings.maxAttempts();
            this.initialDelay = settings.backoff().initialDelay();
            this.multiplier = settings.backoff().multiplier();
            this.maxDelay = settings.backoff().maxDelay();
            this.jitter = settings.backoff().jitter();
            this.attemptTimeout = settings.attemptTimeout();
            this.deadline = settings.deadline();
            this.retryAfterEnabled = settings.retryAfter().enabled();
            this.retryAfterMaxWait = settings.retryAfter().maxWait();
            this.statuses = settings.statuses();
            this.serverErrorRetries = settings.serverErrorRetries();
            this.connectionRefusedMinDelay = settings.connectionRefusedMinDelay();
            this.methods = settings.methods();
            this.budgetEnabled = settings.budget().enabled();
            this.budgetRatio = settings.budget().ratio();
            this.budgetMinRetriesPerSecond = settings.budget().minRetriesPerSecond();
            this.budgetMaxDestinations = settings.budget().maxDestinations();
            this.rateLimitHeaders = settings.retryAfter().rateLimitHeaders();
            this.bodyReplayLimit = settings.bodyReplayLimit();
            this.attemptHeader = settings.attemptHeader();
            this.hedgingEnabled = settings.hedging().enabled();
            this.hedgingDelay = settings.hedging().delay();
            this.maxHedges = settings.hedging().maxHedges();
            return this;
        }

        /**
         * Total attempts including the first (default {@value RetrySettings#DEFAULT_MAX_ATTEMPTS}).
         * @param maxAttempts 1 to {@value RetrySettings#MAX_ATTEMPTS_LIMIT}; 1 means no retry
         * @return this builder
         * @throws InvalidSettingException if out of range
         */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = SettingChecks.checkMaxAttempts(maxAttempts);
            return this;
        }

        /**
         * The base delay (default 1s).
         * @param initialDelay zero or positive
         * @return this builder
         * @throws InvalidSettingException if negative
         */
        public Builder initialDelay(Duration initialDelay) {
            this.initialDelay = SettingChecks.notNegative("backoff.initial-delay", initialDelay);
            return this;
        }

        /**
         * Growth per retry (default {@value RetrySettings#DEFAULT_MULTIPLIER}).
         * @param multiplier a finite number of at least 1.0
         * @return this builder
         * @throws InvalidSettingException if below 1 or not finite
         */
        public Builder multiplier(double multiplier) {
            this.multiplier = SettingChecks.checkMultiplier(multiplier);
            return this;
        }

        /**
         * The cap on the exponential delay, applied before jitter (default 30s).
         * @param maxDelay zero or positive, and at least the initial delay (checked by {@link #build()})
         * @return this builder
         * @throws InvalidSettingException if negative
         */
        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = SettingChecks.notNegative("backoff.max-delay", maxDelay);
            return this;
        }

        /**
         * The jitter algorithm (default {@link Jitter#FULL}).
         * @param jitter the algorithm
         * @return this builder
         */
        public Builder jitter(Jitter jitter) {
            this.jitter = Objects.requireNonNull(jitter, "jitter");
            return this;
        }

        /**
         * The timeout of one attempt, until the response headers arrive (default 10s). It may exceed
         * the deadline: the time left always caps an attempt.
         * @param attemptTimeout positive
         * @return this builder
         * @throws InvalidSettingException if zero or negative
         */
        public Builder attemptTimeout(Duration attemptTimeout) {
            this.attemptTimeout = SettingChecks.positive("attempt-timeout", attemptTimeout);
            return this;
        }

        /**
         * The time allowed for the whole call, all attempts and waits together (default 15s).
         * @param deadline positive
         * @return this builder
         * @throws InvalidSettingException if zero or negative
         */
        public Builder deadline(Duration deadline) {
            this.deadline = SettingChecks.positive("deadline", deadline);
            return this;
        }

        /**
         * Whether {@code Retry-After} is honoured (default {@code true}).
         * @param enabled {@code false} to use backoff alone
         * @return this builder
         */
        public Builder retryAfterEnabled(boolean enabled) {
            this.retryAfterEnabled = enabled;
            return this;
        }

        /**
         * The longest {@code Retry-After} waited for (default 60s); a longer one stops the call.
         * @param maxWait zero or positive
         * @return this builder
         * @throws InvalidSettingException if negative
         */
        public Builder retryAfterMaxWait(Duration maxWait) {
            this.retryAfterMaxWait = SettingChecks.notNegative("retry-after.max-wait", maxWait);
            return this;
        }

        /**
         * The statuses that are retried (default 429, 502, 503, 504).
         * @param statuses 4xx and 5xx codes, except 400, 401, 403 and 404 (never retried) and 500
         *     (see {@link #serverErrorRetries(int)}); may be empty
         * @return this builder
         * @throws InvalidSettingException if a status is not allowed
         */
        public Builder statuses(Set<Integer> statuses) {
            this.statuses = SettingChecks.checkStatuses(statuses);
            return this;
        }

        /**
         * How often a 500 is retried within a call (default {@value RetrySettings#DEFAULT_SERVER_ERROR_RETRIES}).
         * @param retries zero or positive
         * @return this builder
         * @throws InvalidSettingException if negative
         */
        public Builder serverErrorRetries(int retries) {
            this.serverErrorRetries = SettingChecks.checkServerErrorRetries(retries);
            return this;
        }

        /**
         * The least a refused connection waits (default 2s).
         * @param minDelay zero or positive
         * @return this builder
         * @throws InvalidSettingException if negative
         */
        public Builder connectionRefusedMinDelay(Duration minDelay) {
            this.connectionRefusedMinDelay = SettingChecks.notNegative("connection-refused-min-delay", minDelay);
            return this;
        }

        /**
         * The methods retried once a request may have reached the server (default GET, HEAD,
         * OPTIONS, PUT, DELETE, TRACE). Names are upper-cased.
         * @param methods HTTP method names (tokens); may be empty
         * @return this builder
         * @throws InvalidSettingException if a name is empty or not an HTTP token
         */
        public Builder methods(Set<String> methods) {
            this.methods = SettingChecks.checkMethods(methods);
            return this;
        }

        /**
         * Whether each client gets a retry budget (default {@code true}).
         * @param enabled {@code false} to retry without a budget
         * @return this builder
         */
        public Builder budgetEnabled(boolean enabled) {
            this.budgetEnabled = enabled;
            return this;
        }

        /**
         * The fraction of first attempts that retries may add (default {@value RetrySettings#DEFAULT_BUDGET_RATIO}).
         * @param ratio 0 to 1000
         * @return this builder
         * @throws InvalidSettingException if out of range
         */
        public Builder budgetRatio(double ratio) {
            this.budgetRatio = SettingChecks.checkRatio(ratio);
            return this;
        }

        /**
         * The floor of retries per second (default {@value RetrySettings#DEFAULT_BUDGET_MIN_RETRIES_PER_SECOND}).
         * @param minRetriesPerSecond zero or positive
         * @return this builder
         * @throws InvalidSettingException if negative
         */
        public Builder budgetMinRetriesPerSecond(int minRetriesPerSecond) {
            this.budgetMinRetriesPerSecond = SettingChecks.checkMinRetriesPerSecond(minRetriesPerSecond);
            return this;
        }

        /**
         * The most destinations a client keeps a budget for (default {@value RetrySettings#DEFAULT_MAX_DESTINATIONS}).
         * @param maxDestinations at least 1
         * @return this builder
         * @throws InvalidSettingException if below 1
         */
        public Builder budgetMaxDestinations(int maxDestinations) {
            this.budgetMaxDestinations = SettingChecks.checkMaxDestinations(maxDestinations);
            return this;
        }

        /**
         * Whether a retried response without {@code Retry-After} is read for the rate-limit headers (default {@code true}).
         * @param enabled {@code false} to honour {@code Retry-After} alone
         * @return this builder
         */
        public Builder rateLimitHeaders(boolean enabled) {
            this.rateLimitHeaders = enabled;
            return this;
        }

        /**
         * The most bytes of a request body kept to send it again (default 1 MB).
         * @param bytes 0 to {@value RetrySettings#MAX_BODY_REPLAY_LIMIT}
         * @return this builder
         * @throws InvalidSettingException if out of range
         */
        public Builder bodyReplayLimit(long bytes) {
            this.bodyReplayLimit = SettingChecks.checkBodyReplayLimit(bytes);
            return this;
        }

        /**
         * The header that carries the attempt number on every attempt after the first (default empty: none).
         * @param header an HTTP header name, or empty
         * @return this builder
         * @throws InvalidSettingException if not a header name
         */
        public Builder attemptHeader(String header) {
            this.attemptHeader = SettingChecks.checkAttemptHeader(header);
            return this;
        }

        /**
         * Whether requests that may be sent again are hedged (default {@code false}).
         * @param enabled {@code true} to send another copy of a request that has not answered after {@link #hedgingDelay(Duration)}
         * @return this builder
         */
        public Builder hedgingEnabled(boolean enabled) {
            this.hedgingEnabled = enabled;
            return this;
        }

        /**
         * How long the last copy of a hedged request goes unanswered before another is sent (default 1 second).
         * @param delay positive
         * @return this builder
         * @throws InvalidSettingException if not positive
         */
        public Builder hedgingDelay(Duration delay) {
            this.hedgingDelay = SettingChecks.positive("hedging.delay", delay);
            return this;
        }

        /**
         * The most extra copies of one hedged call (default {@value RetrySettings#DEFAULT_MAX_HEDGES}).
         * @param maxHedges 0 to 99
         * @return this builder
         * @throws InvalidSettingException if out of range
         */
        public Builder maxHedges(int maxHedges) {
            this.maxHedges = SettingChecks.checkMaxHedges(maxHedges);
            return this;
        }

        /**
         * Classifies the exception types of an HTTP client library; asked for each link of a cause
         * chain before the JDK's own types (default: knows no type).
         * @param classifier the classifier, thread-safe and never throwing
         * @return this builder
         */
        public Builder exceptionClassifier(ExceptionClassifier classifier) {
            this.exceptionClassifier = Objects.requireNonNull(classifier, "classifier");
            return this;
        }

        /**
         * The random source for jitter (default: {@link ThreadLocalRandom}, thread-safe and
         * uncontended). Tests pass a fixed value.
         * @param random values in {@code [0, 1)}; must be thread-safe if the policy is shared
         * @return this builder
         */
        public Builder random(DoubleSupplier random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * The clock that {@code Retry-After} dates are measured against (default: the system clock, UTC).
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the policy from a copy of this builder's settings.
         * @return the policy
         * @throws InvalidSettingException if the max delay is below the initial delay
         */
        public RetryPolicy build() {
            RetrySettings settings = new RetrySettings(this.maxAttempts,
                    new Backoff(this.initialDelay, this.multiplier, this.maxDelay, this.jitter), this.attemptTimeout,
                    this.deadline, new RetrySettings.RetryAfterSettings(this.retryAfterEnabled, this.retryAfterMaxWait,
                            this.rateLimitHeaders),
                    this.statuses, this.serverErrorRetries, this.connectionRefusedMinDelay, this.methods,
                    new RetrySettings.BudgetSettings(this.budgetEnabled, this.budgetRatio, this.budgetMinRetriesPerSecond,
                            this.budgetMaxDestinations),
                    this.bodyReplayLimit, this.attemptHeader,
                    new RetrySettings.HedgingSettings(this.hedgingEnabled, this.hedgingDelay, this.maxHedges));
            return new DefaultRetryPolicy(settings, this.exceptionClassifier, this.random, this.clock);
        }

        Builder copyFrom(RetrySettings settings, ExceptionClassifier exceptionClassifier, DoubleSupplier random, Clock clock) {
            this.exceptionClassifier = exceptionClassifier;
            this.random = random;
            this.clock = clock;
            return settings(settings);
        }
    }
}
