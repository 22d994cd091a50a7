package dev.httpretry.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoubleSupplier;

/** The {@link RetryPolicy} built by {@link RetryPolicy.Builder}. Immutable and thread-safe. */
final class DefaultRetryPolicy implements RetryPolicy {

    private final int maxAttempts;

    private final Backoff backoff;

    private final Duration attemptTimeout;

    private final Duration deadline;

    private final boolean retryAfterEnabled;

    private final Duration retryAfterMaxWait;

    private final Set<Integer> statuses;

    private final int serverErrorRetries;

    private final Duration connectionRefusedMinDelay;

    private final Set<String> methods;

    private final boolean budgetEnabled;

    private final double budgetRatio;

    private final int budgetMinRetriesPerSecond;

    private final ExceptionClassifier customClassifier;

    private final ExceptionClassifier classifier;

    private final DoubleSupplier random;

    private final Clock clock;

    DefaultRetryPolicy(RetryPolicy.Builder builder) {
        this.maxAttempts = builder.maxAttempts;
        this.backoff = new Backoff(builder.initialDelay, builder.multiplier, builder.maxDelay, builder.jitter);
        this.attemptTimeout = builder.attemptTimeout;
        this.deadline = builder.deadline;
        this.retryAfterEnabled = builder.retryAfterEnabled;
        this.retryAfterMaxWait = builder.retryAfterMaxWait;
        this.statuses = Collections.unmodifiableSet(new TreeSet<>(builder.statuses));
        this.serverErrorRetries = builder.serverErrorRetries;
        this.connectionRefusedMinDelay = builder.connectionRefusedMinDelay;
        this.methods = Collections.unmodifiableSet(new TreeSet<>(builder.methods));
        this.budgetEnabled = builder.budgetEnabled;
        this.budgetRatio = builder.budgetRatio;
        this.budgetMinRetriesPerSecond = builder.budgetMinRetriesPerSecond;
        this.customClassifier = builder.exceptionClassifier;
        this.classifier = ExceptionClassifier.firstOf(List.of(customClassifier, ExceptionClassifier.jdk()));
        this.random = builder.random;
        this.clock = builder.clock;
    }

    @Override
    public Category classify(Outcome outcome) {
        if (outcome instanceof Outcome.Response response) {
            int status = response.status();
            if (status < 400) {
                return Category.SUCCESS;
            }
            if (status == 500) {
                return Category.SERVER_ERROR;
            }
            if (statuses.contains(status)) {
                return status == 429 ? Category.RATE_LIMITED : Category.UNAVAILABLE;
            }
            return Category.PERMANENT;
        }
        return classifier.classify(((Outcome.Failure) outcome).error());
    }

    @Override
    public RetryDecision decide(Attempt attempt, RetryBudget budget) {
        Category category = classify(attempt.outcome());
        if (category == Category.SUCCESS) {
            return new RetryDecision.Stop(category, StopReason.NONE);
        }
        if (!category.isTransient()) {
            return new RetryDecision.Stop(category, StopReason.NOT_RETRYABLE);
        }
        if (category == Category.SERVER_ERROR && attempt.serverErrorRetries() >= serverErrorRetries) {
            return new RetryDecision.Stop(category, serverErrorRetries == 0 ? StopReason.NOT_RETRYABLE : StopReason.EXHAUSTED);
        }
        if (attempt.number() >= maxAttempts) {
            return new RetryDecision.Stop(category, StopReason.EXHAUSTED);
        }
        if (category.mayHaveReachedServer() && !attempt.idempotencyKey()
                && !methods.contains(attempt.method().toUpperCase(Locale.ROOT))) {
            return new RetryDecision.Stop(category, StopReason.UNSAFE_METHOD);
        }
        Duration previous = attempt.previousDelay() != null ? attempt.previousDelay() : backoff.initialDelay();
        Duration delay = backoff.delay(attempt.number(), previous, random.getAsDouble());
        DelaySource source = DelaySource.BACKOFF;
        Optional<Duration> retryAfter = retryAfter(attempt.outcome());
        if (retryAfter.isPresent()) {
            if (retryAfter.get().compareTo(retryAfterMaxWait) > 0) {
                return new RetryDecision.Stop(category, StopReason.RETRY_AFTER_TOO_LONG);
            }
            if (retryAfter.get().compareTo(delay) >= 0) {
                delay = retryAfter.get();
                source = DelaySource.RETRY_AFTER;
            }
        }
        if (category == Category.CONNECTION_REFUSED && delay.compareTo(connectionRefusedMinDelay) < 0) {
            delay = connectionRefusedMinDelay;
        }
        // A wait that ends at or after the deadline leaves no time for the next attempt.
        if (delay.compareTo(attempt.timeLeft()) >= 0) {
            return new RetryDecision.Stop(category, StopReason.DEADLINE);
        }
        if (!budget.tryAcquireRetry()) {
            return new RetryDecision.Stop(category, StopReason.BUDGET);
        }
        return new RetryDecision.Retry(category, delay, source);
    }

    private Optional<Duration> retryAfter(Outcome outcome) {
        if (retryAfterEnabled && outcome instanceof Outcome.Response response && response.retryAfter() != null) {
            return RetryAfter.parse(response.retryAfter(), clock);
        }
        return Optional.empty();
    }

    @Override
    public RetryBudget newBudget(Clock budgetClock) {
        return budgetEnabled ? RetryBudget.windowed(budgetRatio, budgetMinRetriesPerSecond, budgetClock) : RetryBudget.unlimited();
    }

    @Override
    public RetryPolicy.Builder toBuilder() {
        return new RetryPolicy.Builder().copyFrom(this, customClassifier, random, clock);
    }

    @Override
    public int maxAttempts() {
        return maxAttempts;
    }

    @Override
    public Backoff backoff() {
        return backoff;
    }

    @Override
    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    @Override
    public Duration deadline() {
        return deadline;
    }

    @Override
    public boolean retryAfterEnabled() {
        return retryAfterEnabled;
    }

    @Override
    public Duration retryAfterMaxWait() {
        return retryAfterMaxWait;
    }

    @Override
    public Set<Integer> statuses() {
        return statuses;
    }

    @Override
    public int serverErrorRetries() {
        return serverErrorRetries;
    }

    @Override
    public Duration connectionRefusedMinDelay() {
        return connectionRefusedMinDelay;
    }

    @Override
    public Set<String> methods() {
        return methods;
    }

    @Override
    public boolean budgetEnabled() {
        return budgetEnabled;
    }

    @Override
    public double budgetRatio() {
        return budgetRatio;
    }

    @Override
    public int budgetMinRetriesPerSecond() {
        return budgetMinRetriesPerSecond;
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", backoff=" + backoff + ", attemptTimeout=" + attemptTimeout
                + ", deadline=" + deadline + ", retryAfterEnabled=" + retryAfterEnabled + ", retryAfterMaxWait="
                + retryAfterMaxWait + ", statuses=" + statuses + ", serverErrorRetries=" + serverErrorRetries
                + ", connectionRefusedMinDelay=" + connectionRefusedMinDelay + ", methods=" + methods
                + ", budgetEnabled=" + budgetEnabled + ", budgetRatio=" + budgetRatio + ", budgetMinRetriesPerSecond="
                + budgetMinRetriesPerSecond + "]";
    }
}
