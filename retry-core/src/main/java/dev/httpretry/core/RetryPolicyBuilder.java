package dev.httpretry.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Builds a {@link RetryPolicy}. Each setter checks its value at once and throws
 * {@link InvalidSettingException} quoting it; {@link #build()} checks the settings that depend on
 * each other; every setter returns this builder. Not thread-safe; {@link #build()} copies, so a
 * builder may be reused as a template.
 */
public final class RetryPolicyBuilder {

    private int maxAttempts;
    private Duration initialDelay;
    private double multiplier;
    private Duration maxDelay;
    private Jitter jitter;
    private Duration attemptTimeout;
    private Duration deadline;
    private RetrySettings.RetryAfterSettings retryAfter;
    private Set<Integer> statuses;
    private int serverErrorRetries;
    private Duration connectionRefusedMinDelay;
    private Set<String> methods;
    private RetrySettings.BudgetSettings budget;
    private long bodyReplayLimit;
    private String attemptHeader;
    private RetrySettings.HedgingSettings hedging;

    private boolean adaptive;
    private ExceptionClassifier exceptionClassifier = error -> null;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    private Clock clock = Clock.systemUTC();

    RetryPolicyBuilder() {
        settings(RetrySettings.DEFAULTS);
    }

    /** Takes every setting from these settings. */
    public RetryPolicyBuilder settings(RetrySettings settings) {
        this.maxAttempts = settings.maxAttempts();
        this.initialDelay = settings.backoff().initialDelay();
        this.multiplier = settings.backoff().multiplier();
        this.maxDelay = settings.backoff().maxDelay();
        this.jitter = settings.backoff().jitter();
        this.attemptTimeout = settings.attemptTimeout();
        this.deadline = settings.deadline();
        this.retryAfter = settings.retryAfter();
        this.statuses = settings.statuses();
        this.serverErrorRetries = settings.serverErrorRetries();
        this.connectionRefusedMinDelay = settings.connectionRefusedMinDelay();
        this.methods = settings.methods();
        this.budget = settings.budget();
        this.bodyReplayLimit = settings.bodyReplayLimit();
        this.attemptHeader = settings.attemptHeader();
        this.hedging = settings.hedging();
        this.adaptive = settings.adaptive();
        return this;
    }

    /**
     * Total attempts including the first (default {@value RetrySettings#DEFAULT_MAX_ATTEMPTS}); 1 to {@value RetrySettings#MAX_ATTEMPTS_LIMIT}; 1 means no retry.
     */
    public RetryPolicyBuilder maxAttempts(int maxAttempts) {
        this.maxAttempts = SettingChecks.checkMaxAttempts(maxAttempts);
        return this;
    }

    /** The base delay (default 1s); zero or positive. */
    public RetryPolicyBuilder initialDelay(Duration initialDelay) {
        this.initialDelay = SettingChecks.notNegative("backoff.initial-delay", initialDelay);
        return this;
    }

    /** Growth per retry (default {@value RetrySettings#DEFAULT_MULTIPLIER}); a finite number of at least 1.0. */
    public RetryPolicyBuilder multiplier(double multiplier) {
        this.multiplier = SettingChecks.checkMultiplier(multiplier);
        return this;
    }

    /**
     * The cap on the exponential delay, applied before jitter (default 30s); zero or positive, and at least the initial delay (checked by {@link #build()}).
     */
    public RetryPolicyBuilder maxDelay(Duration maxDelay) {
        this.maxDelay = SettingChecks.notNegative("backoff.max-delay", maxDelay);
        return this;
    }

    /** The jitter algorithm (default {@link Jitter#FULL}). */
    public RetryPolicyBuilder jitter(Jitter jitter) {
        this.jitter = Objects.requireNonNull(jitter, "jitter");
        return this;
    }

    /**
     * The timeout of one attempt, until the response headers arrive (default 10s). It may exceed the deadline: the time left always caps an attempt; positive.
     */
    public RetryPolicyBuilder attemptTimeout(Duration attemptTimeout) {
        this.attemptTimeout = SettingChecks.positive("attempt-timeout", attemptTimeout);
        return this;
    }

    /** The time allowed for the whole call, all attempts and waits together (default 15s); positive. */
    public RetryPolicyBuilder deadline(Duration deadline) {
        this.deadline = SettingChecks.positive("deadline", deadline);
        return this;
    }

    /** Whether {@code Retry-After} is honoured (default {@code true}); {@code false} to use backoff alone. */
    public RetryPolicyBuilder retryAfterEnabled(boolean enabled) {
        this.retryAfter = new RetrySettings.RetryAfterSettings(enabled, this.retryAfter.maxWait(), this.retryAfter.rateLimitHeaders());
        return this;
    }

    /** The longest {@code Retry-After} waited for (default 60s); a longer one stops the call; zero or positive. */
    public RetryPolicyBuilder retryAfterMaxWait(Duration maxWait) {
        this.retryAfter = new RetrySettings.RetryAfterSettings(this.retryAfter.enabled(), maxWait, this.retryAfter.rateLimitHeaders());
        return this;
    }

    /**
     * The statuses that are retried (default 429, 502, 503, 504); 4xx and 5xx codes, except 400, 401, 403 and 404 (never retried) and 500 (see {@link #serverErrorRetries(int)}); may be empty.
     */
    public RetryPolicyBuilder statuses(Set<Integer> statuses) {
        this.statuses = SettingChecks.checkStatuses(statuses);
        return this;
    }

    /**
     * How often a 500 is retried within a call (default {@value RetrySettings#DEFAULT_SERVER_ERROR_RETRIES}); zero or positive.
     */
    public RetryPolicyBuilder serverErrorRetries(int retries) {
        this.serverErrorRetries = SettingChecks.checkServerErrorRetries(retries);
        return this;
    }

    /** The least a refused connection waits (default 2s); zero or positive. */
    public RetryPolicyBuilder connectionRefusedMinDelay(Duration minDelay) {
        this.connectionRefusedMinDelay = SettingChecks.notNegative("connection-refused-min-delay", minDelay);
        return this;
    }

    /**
     * The methods retried once a request may have reached the server (default GET, HEAD, OPTIONS, PUT, DELETE, TRACE). Names are upper-cased; HTTP method names (tokens); may be empty.
     */
    public RetryPolicyBuilder methods(Set<String> methods) {
        this.methods = SettingChecks.checkMethods(methods);
        return this;
    }

    /** Whether each client gets a retry budget (default {@code true}); {@code false} to retry without a budget. */
    public RetryPolicyBuilder budgetEnabled(boolean enabled) {
        this.budget = new RetrySettings.BudgetSettings(enabled, this.budget.ratio(), this.budget.minRetriesPerSecond(),
                this.budget.maxDestinations(), this.budget.window());
        return this;
    }

    /** The fraction of first attempts that retries may add (default {@value RetrySettings#DEFAULT_BUDGET_RATIO}); 0 to 1000. */
    public RetryPolicyBuilder budgetRatio(double ratio) {
        this.budget = new RetrySettings.BudgetSettings(this.budget.enabled(), ratio, this.budget.minRetriesPerSecond(),
                this.budget.maxDestinations(), this.budget.window());
        return this;
    }

    /**
     * The floor of retries per second (default {@value RetrySettings#DEFAULT_BUDGET_MIN_RETRIES_PER_SECOND}); zero or positive.
     */
    public RetryPolicyBuilder budgetMinRetriesPerSecond(int minRetriesPerSecond) {
        this.budget = new RetrySettings.BudgetSettings(this.budget.enabled(), this.budget.ratio(), minRetriesPerSecond,
                this.budget.maxDestinations(), this.budget.window());
        return this;
    }

    /**
     * The most destinations a client keeps a budget for (default {@value RetrySettings#DEFAULT_MAX_DESTINATIONS}); at least 1.
     */
    public RetryPolicyBuilder budgetMaxDestinations(int maxDestinations) {
        this.budget = new RetrySettings.BudgetSettings(this.budget.enabled(), this.budget.ratio(), this.budget.minRetriesPerSecond(),
                maxDestinations, this.budget.window());
        return this;
    }

    /** How long a first attempt and a retry count in the budget (default 10s); 1 second to 1 hour. */
    public RetryPolicyBuilder budgetWindow(Duration window) {
        this.budget = new RetrySettings.BudgetSettings(this.budget.enabled(), this.budget.ratio(), this.budget.minRetriesPerSecond(),
                this.budget.maxDestinations(), window);
        return this;
    }

    /**
     * Whether a retried response without {@code Retry-After} is read for the rate-limit headers (default {@code true}); {@code false} to honour {@code Retry-After} alone.
     */
    public RetryPolicyBuilder rateLimitHeaders(boolean enabled) {
        this.retryAfter = new RetrySettings.RetryAfterSettings(this.retryAfter.enabled(), this.retryAfter.maxWait(), enabled);
        return this;
    }

    /**
     * The most bytes of a request body kept to send it again (default 1 MB); 0 to {@value RetrySettings#MAX_BODY_REPLAY_LIMIT}.
     */
    public RetryPolicyBuilder bodyReplayLimit(long bytes) {
        this.bodyReplayLimit = SettingChecks.checkBodyReplayLimit(bytes);
        return this;
    }

    /**
     * The header that carries the attempt number on every attempt after the first (default empty: none); an HTTP header name, or empty.
     */
    public RetryPolicyBuilder attemptHeader(String header) {
        this.attemptHeader = SettingChecks.checkAttemptHeader(header);
        return this;
    }

    /**
     * Whether requests that may be sent again are hedged (default {@code false}); {@code true} to send another copy of a request that has not answered after {@link #hedgingDelay(Duration)}.
     */
    public RetryPolicyBuilder hedgingEnabled(boolean enabled) {
        RetrySettings.HedgingSettings h = this.hedging;
        this.hedging = new RetrySettings.HedgingSettings(enabled, h.delay(), h.maxHedges(), h.autoDelay(), h.minDelay());
        return this;
    }

    /** How long the last copy of a hedged request goes unanswered before another is sent (default 1 second); positive. */
    public RetryPolicyBuilder hedgingDelay(Duration delay) {
        RetrySettings.HedgingSettings h = this.hedging;
        this.hedging = new RetrySettings.HedgingSettings(h.enabled(), delay, h.maxHedges(), false, h.minDelay());
        return this;
    }

    /**
     * Takes the hedging delay from each destination's recent 95th percentile latency ({@code hedging.delay: auto}), never below {@link #hedgingMinDelay(Duration)}; the delay set by {@link #hedgingDelay(Duration)} applies until a destination has answered enough attempts.
     */
    public RetryPolicyBuilder hedgingAutoDelay() {
        RetrySettings.HedgingSettings h = this.hedging;
        this.hedging = new RetrySettings.HedgingSettings(h.enabled(), h.delay(), h.maxHedges(), true, h.minDelay());
        return this;
    }

    /** The least an automatic hedging delay is (default 10 ms); positive. */
    public RetryPolicyBuilder hedgingMinDelay(Duration minDelay) {
        RetrySettings.HedgingSettings h = this.hedging;
        this.hedging = new RetrySettings.HedgingSettings(h.enabled(), h.delay(), h.maxHedges(), h.autoDelay(), minDelay);
        return this;
    }

    /** The most extra copies of one hedged call (default {@value RetrySettings#DEFAULT_MAX_HEDGES}); 0 to 99. */
    public RetryPolicyBuilder maxHedges(int maxHedges) {
        RetrySettings.HedgingSettings h = this.hedging;
        this.hedging = new RetrySettings.HedgingSettings(h.enabled(), h.delay(), maxHedges, h.autoDelay(), h.minDelay());
        return this;
    }

    /**
     * Whether each destination gets a send rate that falls when it pushes back and climbs back as it answers (default {@code false}): every attempt waits for its turn.
     */
    public RetryPolicyBuilder adaptive(boolean enabled) {
        this.adaptive = enabled;
        return this;
    }

    /**
     * Classifies the exception types of an HTTP client library; asked for each link of a cause chain before the JDK's own types (default: knows no type); it must be thread-safe and never throw.
     */
    public RetryPolicyBuilder exceptionClassifier(ExceptionClassifier classifier) {
        this.exceptionClassifier = Objects.requireNonNull(classifier, "classifier");
        return this;
    }

    /**
     * The random source for jitter (default: {@link ThreadLocalRandom}, thread-safe and uncontended). Tests pass a fixed value; values in {@code [0, 1)}; must be thread-safe if the policy is shared.
     */
    public RetryPolicyBuilder random(DoubleSupplier random) {
        this.random = Objects.requireNonNull(random, "random");
        return this;
    }

    /** The clock that {@code Retry-After} dates are measured against (default: the system clock, UTC). */
    public RetryPolicyBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * Builds the policy from a copy of this builder's settings.
     * @throws InvalidSettingException if the max delay is below the initial delay
     */
    public RetryPolicy build() {
        RetrySettings settings = new RetrySettings(this.maxAttempts,
                new Backoff(this.initialDelay, this.multiplier, this.maxDelay, this.jitter), this.attemptTimeout,
                this.deadline, this.retryAfter, this.statuses, this.serverErrorRetries, this.connectionRefusedMinDelay,
                this.methods, this.budget, this.bodyReplayLimit, this.attemptHeader, this.hedging, this.adaptive);
        return new DefaultRetryPolicy(settings, this.exceptionClassifier, this.random, this.clock);
    }
}
