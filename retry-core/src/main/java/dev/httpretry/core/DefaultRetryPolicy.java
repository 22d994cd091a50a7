package dev.httpretry.core;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/** The {@link RetryPolicy} built by {@link RetryPolicyBuilder}. Immutable and thread-safe. */
final class DefaultRetryPolicy implements RetryPolicy {

    private final RetrySettings settings;

    private final ExceptionClassifier customClassifier;

    private final ExceptionClassifier classifier;

    private final DoubleSupplier random;

    private final Clock clock;

    /** This policy with each other limit of attempts a call asked for, made once each. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<@Nullable RetryPolicy> withMaxAttempts =
            new java.util.concurrent.atomic.AtomicReferenceArray<>(RetrySettings.MAX_ATTEMPTS_LIMIT + 1);

    DefaultRetryPolicy(RetrySettings settings, ExceptionClassifier customClassifier, DoubleSupplier random, Clock clock) {
        this.settings = settings;
        this.customClassifier = customClassifier;
        this.classifier = ExceptionClassifier.firstOf(List.of(customClassifier, ExceptionClassifier.jdk()));
        this.random = random;
        this.clock = clock;
    }

    @Override
    public RetrySettings settings() {
        return this.settings;
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
            if (this.settings.statuses().contains(status)) {
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
        RetrySettings settings = this.settings;
        int serverErrorRetries = settings.serverErrorRetries();
        if (category == Category.SERVER_ERROR && attempt.serverErrorRetries() >= serverErrorRetries) {
            return new RetryDecision.Stop(category, serverErrorRetries == 0 ? StopReason.NOT_RETRYABLE : StopReason.EXHAUSTED);
        }
        if (attempt.number() >= settings.maxAttempts()) {
            return new RetryDecision.Stop(category, StopReason.EXHAUSTED);
        }
        if (category.mayHaveReachedServer() && !attempt.idempotencyKey()
                && !settings.methods().contains(attempt.method().toUpperCase(Locale.ROOT))) {
            return new RetryDecision.Stop(category, StopReason.UNSAFE_METHOD);
        }
        if (category.mayHaveReachedServer() && !attempt.bodyReplayable()) {
            return new RetryDecision.Stop(category, StopReason.BODY_NOT_REPLAYABLE);
        }
        if (category == Category.CONNECTION_CLOSED_BEFORE_SEND) {
            // Nothing was sent and nothing says the server is unwell: the next attempt goes at once, on
            // another connection (a stale pooled one is no reason to wait). It is the first of this
            // request the server can see, so the budget, which bounds what retries add to the server's
            // load, is not drawn from; max-attempts and the deadline still hold.
            return retryOrStop(category, Duration.ZERO, DelaySource.BACKOFF, attempt, RetryBudget.unlimited());
        }
        Backoff backoff = settings.backoff();
        Duration previous = attempt.previousDelay() != null ? attempt.previousDelay() : backoff.initialDelay();
        Duration delay = backoff.delay(attempt.number(), previous, random.getAsDouble());
        DelaySource source = DelaySource.BACKOFF;
        Clock now = attempt.skippedWaits().isZero() ? this.clock : Clock.offset(this.clock, attempt.skippedWaits());
        Optional<Duration> retryAfter = retryAfter(attempt.outcome(), now);
        DelaySource pushback = DelaySource.RETRY_AFTER;
        if (retryAfter.isEmpty()) {
            retryAfter = rateLimit(attempt.outcome(), now);
            pushback = DelaySource.RATE_LIMIT;
        }
        if (retryAfter.isPresent()) {
            if (retryAfter.get().compareTo(settings.retryAfter().maxWait()) > 0) {
                return new RetryDecision.Stop(category, StopReason.RETRY_AFTER_TOO_LONG);
            }
            if (retryAfter.get().compareTo(delay) >= 0) {
                delay = retryAfter.get();
                source = pushback;
            }
        }
        if (category == Category.CONNECTION_REFUSED && delay.compareTo(settings.connectionRefusedMinDelay()) < 0) {
            delay = settings.connectionRefusedMinDelay();
        }
        return retryOrStop(category, delay, source, attempt, budget);
    }

    /** A retry after the given wait, unless the wait leaves no time before the deadline or the budget has no retry left. */
    private static RetryDecision retryOrStop(Category category, Duration delay, DelaySource source, Attempt attempt,
            RetryBudget budget) {
        // A wait that ends at or after the deadline leaves no time for the next attempt.
        if (delay.compareTo(attempt.timeLeft()) >= 0) {
            return new RetryDecision.Stop(category, StopReason.DEADLINE);
        }
        if (!budget.tryAcquireRetry()) {
            return new RetryDecision.Stop(category, StopReason.BUDGET);
        }
        return new RetryDecision.Retry(category, delay, source);
    }

    private Optional<Duration> retryAfter(Outcome outcome, Clock clock) {
        if (this.settings.retryAfter().enabled() && outcome instanceof Outcome.Response response && response.retryAfter() != null) {
            return RetryAfter.parse(response.retryAfter(), clock);
        }
        return Optional.empty();
    }

    /** {@code RateLimit}, {@code RateLimit-Reset} or {@code X-RateLimit-Reset}, when there is no usable {@code Retry-After}. */
    private Optional<Duration> rateLimit(Outcome outcome, Clock clock) {
        RetrySettings.RetryAfterSettings pushback = this.settings.retryAfter();
        if (pushback.enabled() && pushback.rateLimitHeaders() && outcome instanceof Outcome.Response response
                && (response.rateLimit() != null || response.rateLimitReset() != null || response.xRateLimitReset() != null)) {
            return RateLimitReset.parse(response.rateLimit(), response.rateLimitReset(), response.xRateLimitReset(), clock);
        }
        return Optional.empty();
    }

    @Override
    public RetryExecution start(String client, String method, boolean idempotencyKey, RetryBudget budget,
            RetryListener listener, LongSupplier nanoTime) {
        return new RetryExecution(this, client, method, idempotencyKey, budget, listener, nanoTime);
    }

    @Override
    public RetryPolicy withMaxAttempts(int maxAttempts) {
        if (maxAttempts == this.settings.maxAttempts()) {
            return this;
        }
        SettingChecks.checkMaxAttempts(maxAttempts);
        RetryPolicy policy = this.withMaxAttempts.get(maxAttempts);
        if (policy == null) {
            this.withMaxAttempts.compareAndSet(maxAttempts, null, toBuilder().maxAttempts(maxAttempts).build());
            policy = this.withMaxAttempts.get(maxAttempts);
        }
        return java.util.Objects.requireNonNull(policy);
    }

    @Override
    public RetryBudget newBudget(Clock budgetClock) {
        return this.settings.budget().newBudget(budgetClock);
    }

    @Override
    public RetryBudgets newBudgets(Clock budgetClock) {
        return this.settings.budget().newBudgets(budgetClock);
    }

    @Override
    public RetryPolicyBuilder toBuilder() {
        return RetryPolicy.builder().settings(this.settings).exceptionClassifier(this.customClassifier).random(this.random)
            .clock(this.clock);
    }

    @Override
    public String toString() {
        return "RetryPolicy[" + this.settings + "]";
    }
}
