package dev.httpretry.core;

import java.time.Duration;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * The part of a {@link RetryExecution} that its destination teaches ({@link LearnedDestinations}):
 * each attempt's turn at the destination's send rate, and what each attempt's end tells the rate and
 * the latencies. Nothing of it exists for a client that learns nothing.
 */
abstract class LearningState extends CallState {

    /** Set by {@link RetryClient#start} when the client learns; {@code null} otherwise. */
    @Nullable CallLearning learning;

    LearningState(RetryPolicy policy, String client, String method, boolean idempotencyKey, RetryBudget budget,
            RetryListener listener, LongSupplier nanoTime) {
        super(policy, client, method, idempotencyKey, budget, listener, nanoTime);
    }

    /**
     * How long the attempt about to start waits for its turn at its destination, with
     * {@code adaptive.enabled}: call it before {@code startAttempt()}, and wait that long first.
     * @return nanoseconds: {@code 0} to send now; {@code -1} when the turn would come at or after the
     *     deadline: then the call has ended with {@link StopReason#THROTTLED} and {@link #failure()}
     *     is a {@link RetryThrottledException}
     */
    public long turnNanos() {
        CallLearning learning = this.learning;
        if (learning == null) {
            return 0;
        }
        long left = timeLeftNanos();
        long wait = learning.turn(left);
        if (wait < 0) {
            history().endError = new RetryThrottledException(this.attempts + 1, learning.rate(), Duration.ofNanos(Math.max(left, 0)));
            end(StopReason.THROTTLED);
        }
        else if (wait > 0 && this.listener != RetryListener.NONE) {
            this.listener.onThrottle(new ThrottleEvent(this.client, this.method, this.attempts + 1, Duration.ofNanos(wait)));
        }
        return wait;
    }

    /** Attempt {@code attempt} goes out now. */
    void learnSent(int attempt) {
        if (this.learning != null) {
            this.learning.sent(attempt, now());
        }
    }

    /** Attempt {@code attempt} ended with this outcome. */
    void learnEnded(int attempt, Outcome outcome) {
        if (this.learning != null) {
            this.learning.ended(attempt, outcome, now());
        }
    }

    /** Attempt {@code attempt} was answered below 400. */
    void learnSucceeded(int attempt) {
        if (this.learning != null) {
            this.learning.succeeded(attempt, now());
        }
    }

    /** The hedging delay the destination's latencies give ({@code hedging.delay: auto}), else {@code hedging.delay}. */
    long learnedHedgeDelayNanos() {
        long learned = (this.learning != null) ? this.learning.hedgeDelayNanos() : -1;
        return (learned >= 0) ? learned : Durations.toNanos(this.policy.settings().hedging().delay());
    }

    /** Whether a hedge may go out now: with a learned rate, only if its turn is due. */
    boolean hedgeTurn() {
        return this.learning == null || this.learning.hedgeTurn();
    }

    @Override
    void lose(int except, Outcome outcome, RetryDecision decision) {
        if (this.learning != null) {
            this.learning.cutAllBut(except);
        }
        super.lose(except, outcome, decision);
    }
}
