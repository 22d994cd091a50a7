package dev.httpretry.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * When and how long to wait before sending a request again.
 *
 * <p>A policy is immutable and thread-safe, and may be shared by any number of calls. Its
 * {@link #decide decision} is a pure function of the attempt it is given, the policy's random source
 * and clock, and the budget it is handed. Create one with {@link #builder()}; every setting has the
 * default documented on its builder method and in the starter's property table.
 */
public interface RetryPolicy {

    /** Default {@code max-attempts}: {@value}. */
    int DEFAULT_MAX_ATTEMPTS = 4;

    /** Default {@code backoff.multiplier}: {@value}. */
    double DEFAULT_MULTIPLIER = 2.0;

    /** Default {@code server-error-retries}: {@value}. */
    int DEFAULT_SERVER_ERROR_RETRIES = 1;

    /** Default {@code budget.ratio}: {@value}. */
    double DEFAULT_BUDGET_RATIO = 0.1;

    /** Default {@code budget.min-retries-per-second}: {@value}. */
    int DEFAULT_BUDGET_MIN_RETRIES_PER_SECOND = 10;

    /** The most attempts a policy allows: {@value}. */
    int MAX_ATTEMPTS_LIMIT = 100;

    /** Default {@code backoff.initial-delay}: 1 second. */
    Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(1);

    /** Default {@code backoff.max-delay}: 30 seconds. */
    Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);

    /** Default {@code attempt-timeout}: 10 seconds. */
    Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

    /** Default {@code deadline}: 15 seconds. */
    Duration DEFAULT_DEADLINE = Duration.ofSeconds(15);

    /** Default {@code retry-after.max-wait}: 60 seconds. */
    Duration DEFAULT_RETRY_AFTER_MAX_WAIT = Duration.ofSeconds(60);

    /** Default {@code connection-refused-min-delay}: 2 seconds. */
    Duration DEFAULT_CONNECTION_REFUSED_MIN_DELAY = Duration.ofSeconds(2);

    /** Default {@code statuses}: 429, 502, 503, 504. */
    Set<Integer> DEFAULT_STATUSES = Set.of(429, 502, 503, 504);

    /** Default {@code methods}: the idempotent methods of RFC 9110 §9.2.2. */
    Set<String> DEFAULT_METHODS = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    /** Statuses that are never retried, whatever is configured. */
    Set<Integer> NEVER_RETRIED_STATUSES = Set.of(400, 401, 403, 404);

    /**
     * Total attempts, including the first; 1 means no retry.
     * @return the maximum number of attempts
     */
    int maxAttempts();

    /**
     * The backoff between attempts.
     * @return the backoff
     */
    Backoff backoff();

    /**
     * The longest one attempt may take until its response headers arrive; the time left before the
     * deadline caps it further.
     * @return the attempt timeout
     */
    Duration attemptTimeout();

    /**
     * The longest the whole call may take: all attempts and all waits.
     * @return the deadline, measured from the start of the call
     */
    Duration deadline();

    /**
     * Whether {@code Retry-After} is honoured.
     * @return {@code true} if a retried response's {@code Retry-After} lengthens the wait
     */
    boolean retryAfterEnabled();

    /**
     * The longest {@code Retry-After} that is waited for; a longer one stops the call at once.
     * @return the maximum wait
     */
    Duration retryAfterMaxWait();

    /**
     * The response statuses that are retried (500 is governed by {@link #serverErrorRetries()}).
     * @return the statuses, sorted
     */
    Set<Integer> statuses();

    /**
     * How often a 500 is retried within one call.
     * @return the number of retries of a 500
     */
    int serverErrorRetries();

    /**
     * The least a refused connection waits, since the server may be restarting.
     * @return the minimum delay after a refused connection
     */
    Duration connectionRefusedMinDelay();

    /**
     * The methods retried once the request may have reached the server; any other method is retried
     * only with an {@code Idempotency-Key} or when the request provably never left the client.
     * @return the upper-case method names, sorted
     */
    Set<String> methods();

    /**
     * Whether each client gets a retry budget.
     * @return {@code true} if retries are limited by a budget
     */
    boolean budgetEnabled();

    /**
     * The fraction of first attempts that retries may add, over a rolling window.
     * @return the budget ratio
     */
    double budgetRatio();

    /**
     * The floor of retries per second, so a quiet client can still retry.
     * @return the minimum retries per second
     */
    int budgetMinRetriesPerSecond();

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
     * {@link #serverErrorRetries()} or an attempt at {@link #maxAttempts()} stops as exhausted; a
     * method outside {@link #methods()} without an {@code Idempotency-Key} stops if the request may have
     * reached the server; the wait is the backoff delay, lengthened to {@code Retry-After} (which
     * stops the call if above {@link #retryAfterMaxWait()}) and, for a refused connection, to
     * {@link #connectionRefusedMinDelay()}; a wait that would not end before the deadline stops;
     * finally the budget must grant the retry. Only a decision to retry takes from the budget.
     * @param attempt the attempt that just ended
     * @param budget the client's budget
     * @return retry after a delay, or stop with a reason
     */
    RetryDecision decide(Attempt attempt, RetryBudget budget);

    /**
     * A new budget with this policy's budget settings, or {@link RetryBudget#unlimited()} when the budget is disabled.
     * @param clock the clock that drives the budget's window
     * @return a budget for one client
     */
    RetryBudget newBudget(Clock clock);

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

        int maxAttempts = DEFAULT_MAX_ATTEMPTS;

        Duration initialDelay = DEFAULT_INITIAL_DELAY;

        double multiplier = DEFAULT_MULTIPLIER;

        Duration maxDelay = DEFAULT_MAX_DELAY;

        Jitter jitter = Jitter.FULL;

        Duration attemptTimeout = DEFAULT_ATTEMPT_TIMEOUT;

        Duration deadline = DEFAULT_DEADLINE;

        boolean retryAfterEnabled = true;

        Duration retryAfterMaxWait = DEFAULT_RETRY_AFTER_MAX_WAIT;

        Set<Integer> statuses = new TreeSet<>(DEFAULT_STATUSES);

        int serverErrorRetries = DEFAULT_SERVER_ERROR_RETRIES;

        Duration connectionRefusedMinDelay = DEFAULT_CONNECTION_REFUSED_MIN_DELAY;

        Set<String> methods = new TreeSet<>(DEFAULT_METHODS);

        boolean budgetEnabled = true;

        double budgetRatio = DEFAULT_BUDGET_RATIO;

        int budgetMinRetriesPerSecond = DEFAULT_BUDGET_MIN_RETRIES_PER_SECOND;

        ExceptionClassifier exceptionClassifier = error -> null;

        DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

        Clock clock = Clock.systemUTC();

        Builder() {
        }

        /**
         * Total attempts including the first (default {@value RetryPolicy#DEFAULT_MAX_ATTEMPTS}).
         * @param maxAttempts 1 to {@value RetryPolicy#MAX_ATTEMPTS_LIMIT}; 1 means no retry
         * @return this builder
         * @throws InvalidSettingException if out of range
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
                throw new InvalidSettingException("max-attempts", String.valueOf(maxAttempts),
                        maxAttempts < 1 ? "must be at least 1" : "must be at most " + MAX_ATTEMPTS_LIMIT);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * The base delay (default 1s).
         * @param initialDelay zero or positive
         * @return this builder
         * @throws InvalidSettingException if negative
         */
        public Builder initialDelay(Duration initialDelay) {
            this.initialDelay = notNegative("backoff.initial-delay", initialDelay);
            return this;
        }

        /**
         * Growth per retry (default {@value RetryPolicy#DEFAULT_MULTIPLIER}).
         * @param multiplier a finite number of at least 1.0
         * @return this builder
         * @throws InvalidSettingException if below 1 or not finite
         */
        public Builder multiplier(double multiplier) {
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new InvalidSettingException("backoff.multiplier", String.valueOf(multiplier),
                        "must be a finite number of at least 1.0");
            }
            this.multiplier = multiplier;
            return this;
        }

        /**
         * The cap on the exponential delay, applied before jitter (default 30s).
         * @param maxDelay zero or positive, and at least the initial delay (checked by {@link #build()})
         * @return this builder
         * @throws InvalidSettingException if negative
         */
        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = notNegative("backoff.max-delay", maxDelay);
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
            this.attemptTimeout = positive("attempt-timeout", attemptTimeout);
            return this;
        }

        /**
         * The time allowed for the whole call, all attempts and waits together (default 15s).
         * @param deadline positive
         * @return this builder
         * @throws InvalidSettingException if zero or negative
         */
        public Builder deadline(Duration deadline) {
            this.deadline = positive("deadline", deadline);
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
            this.retryAfterMaxWait = notNegative("retry-after.max-wait", maxWait);
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
            Set<Integer> copy = new TreeSet<>();
            for (Integer status : statuses) {
                Objects.requireNonNull(status, "status");
                String requirement = null;
                if (status < 400 || status > 599) {
                    requirement = "must be a 4xx or 5xx status";
                }
                else if (NEVER_RETRIED_STATUSES.contains(status)) {
                    requirement = "400, 401, 403 and 404 are never retried";
                }
                else if (status == 500) {
                    requirement = "500 is retried as often as server-error-retries says, not through statuses";
                }
                if (requirement != null) {
                    throw new InvalidSettingException("statuses", String.valueOf(status), requirement);
                }
                copy.add(status);
            }
            this.statuses = copy;
            return this;
        }

        /**
         * How often a 500 is retried within a call (default {@value RetryPolicy#DEFAULT_SERVER_ERROR_RETRIES}).
         * @param retries zero or positive
         * @return this builder
         * @throws InvalidSettingException if negative
         */
        public Builder serverErrorRetries(int retries) {
            if (retries < 0) {
                throw new InvalidSettingException("server-error-retries", String.valueOf(retries), "must be zero or positive");
            }
            this.serverErrorRetries = retries;
            return this;
        }

        /**
         * The least a refused connection waits (default 2s).
         * @param minDelay zero or positive
         * @return this builder
         * @throws InvalidSettingException if negative
         */
        public Builder connectionRefusedMinDelay(Duration minDelay) {
            this.connectionRefusedMinDelay = notNegative("connection-refused-min-delay", minDelay);
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
            Set<String> copy = new TreeSet<>();
            for (String method : methods) {
                Objects.requireNonNull(method, "method");
                if (method.isEmpty() || !method.chars().allMatch(Builder::isTokenChar)) {
                    throw new InvalidSettingException("methods", method, "must be an HTTP method name such as GET or PUT");
                }
                copy.add(method.toUpperCase(Locale.ROOT));
            }
            this.methods = copy;
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
         * The fraction of first attempts that retries may add (default {@value RetryPolicy#DEFAULT_BUDGET_RATIO}).
         * @param ratio 0 to 1000
         * @return this builder
         * @throws InvalidSettingException if out of range
         */
        public Builder budgetRatio(double ratio) {
            if (!(ratio >= 0 && ratio <= 1000)) {
                throw new InvalidSettingException("budget.ratio", String.valueOf(ratio), "must be between 0 and 1000");
            }
            this.budgetRatio = ratio;
            return this;
        }

        /**
         * The floor of retries per second (default {@value RetryPolicy#DEFAULT_BUDGET_MIN_RETRIES_PER_SECOND}).
         * @param minRetriesPerSecond zero or positive
         * @return this builder
         * @throws InvalidSettingException if negative
         */
        public Builder budgetMinRetriesPerSecond(int minRetriesPerSecond) {
            if (minRetriesPerSecond < 0) {
                throw new InvalidSettingException("budget.min-retries-per-second", String.valueOf(minRetriesPerSecond),
                        "must be zero or positive");
            }
            this.budgetMinRetriesPerSecond = minRetriesPerSecond;
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
            if (maxDelay.compareTo(initialDelay) < 0) {
                throw new InvalidSettingException("backoff.max-delay", Durations.format(maxDelay),
                        "must be at least backoff.initial-delay (" + Durations.format(initialDelay) + ")");
            }
            return new DefaultRetryPolicy(this);
        }

        Builder copyFrom(RetryPolicy policy, ExceptionClassifier exceptionClassifier, DoubleSupplier random, Clock clock) {
            this.maxAttempts = policy.maxAttempts();
            this.initialDelay = policy.backoff().initialDelay();
            this.multiplier = policy.backoff().multiplier();
            this.maxDelay = policy.backoff().maxDelay();
            this.jitter = policy.backoff().jitter();
            this.attemptTimeout = policy.attemptTimeout();
            this.deadline = policy.deadline();
            this.retryAfterEnabled = policy.retryAfterEnabled();
            this.retryAfterMaxWait = policy.retryAfterMaxWait();
            this.statuses = new TreeSet<>(policy.statuses());
            this.serverErrorRetries = policy.serverErrorRetries();
            this.connectionRefusedMinDelay = policy.connectionRefusedMinDelay();
            this.methods = new TreeSet<>(policy.methods());
            this.budgetEnabled = policy.budgetEnabled();
            this.budgetRatio = policy.budgetRatio();
            this.budgetMinRetriesPerSecond = policy.budgetMinRetriesPerSecond();
            this.exceptionClassifier = exceptionClassifier;
            this.random = random;
            this.clock = clock;
            return this;
        }

        private static boolean isTokenChar(int c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }

        private static Duration notNegative(String setting, Duration value) {
            Objects.requireNonNull(value, setting);
            if (value.isNegative()) {
                throw new InvalidSettingException(setting, Durations.format(value), "must be zero or positive");
            }
            return value;
        }

        private static Duration positive(String setting, Duration value) {
            Objects.requireNonNull(value, setting);
            if (value.isNegative() || value.isZero()) {
                throw new InvalidSettingException(setting, Durations.format(value), "must be positive");
            }
            return value;
        }
    }
}
