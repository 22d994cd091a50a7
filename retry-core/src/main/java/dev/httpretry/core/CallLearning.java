package dev.httpretry.core;

import org.jspecify.annotations.Nullable;

/**
 * What one call learns from and is told by its destination ({@link LearnedDestinations}): each
 * attempt's turn at the destination's {@link AdaptiveRate}, and, when it ends, its latency for the
 * {@link LatencyWindow} and its pushback (or not) for the rate. Keeps the attempts in flight (one,
 * or a hedged call's copies) with when they were sent and in which generation of the rate. Not
 * thread-safe: a call's events come one at a time.
 */
final class CallLearning {

    private final @Nullable AdaptiveRate rate;

    private final @Nullable LatencyWindow latency;

    private final LearnedDestinations destinations;

    /** The attempts in flight, by number; 0 marks a free slot. */
    private final int[] attempts;

    private final long[] sentAt;

    private final int[] generations;

    CallLearning(@Nullable AdaptiveRate rate, @Nullable LatencyWindow latency, LearnedDestinations destinations, int copies) {
        this.rate = rate;
        this.latency = latency;
        this.destinations = destinations;
        this.attempts = new int[copies];
        this.sentAt = new long[copies];
        this.generations = new int[copies];
    }

    /** Whether the next attempt waited for its turn, so it counts as sent only when it goes out. */
    private boolean waited;

    /** The wait for the next attempt's turn: 0 to send now, -1 when it would come at or after {@code maxWaitNanos}. */
    long turn(long maxWaitNanos) {
        long wait = (this.rate != null) ? this.rate.reserve(maxWaitNanos) : 0;
        this.waited = wait > 0;
        return wait;
    }

    /** Whether a hedge may be sent now: it takes a turn only if one is due. */
    boolean hedgeTurn() {
        return this.rate == null || this.rate.tryReserveNow();
    }

    /** The destination's send rate, in requests per second. */
    double rate() {
        return (this.rate != null) ? this.rate.rate() : Double.POSITIVE_INFINITY;
    }

    /** The hedging delay the destination's latencies give, or {@code -1} when the delay is set by hand. */
    long hedgeDelayNanos() {
        return (this.latency != null) ? this.destinations.hedgeDelayNanos(this.latency) : -1;
    }

    /** Attempt {@code attempt} went out at {@code now}. */
    void sent(int attempt, long now) {
        int slot = 0;
        for (int i = 0; i < this.attempts.length; i++) {
            if (this.attempts[i] == 0) {
                slot = i;
                break;
            }
        }
        this.attempts[slot] = attempt;
        this.sentAt[slot] = now;
        if (this.rate != null) {
            if (this.waited) {
                this.rate.sent();
                this.waited = false;
            }
            this.generations[slot] = this.rate.generation();
        }
    }

    /**
     * Attempt {@code attempt} ended with this outcome: an answer gives its latency, and a pushback or
     * not; a timeout gives a latency at least as long; another error tells nothing.
     */
    void ended(int attempt, Outcome outcome, long now) {
        int slot = slotOf(attempt);
        if (slot < 0) {
            return;
        }
        this.attempts[slot] = 0;
        if (outcome instanceof Outcome.Response response) {
            record(now - this.sentAt[slot]);
            if (this.rate != null) {
                if (pushedBack(response)) {
                    this.rate.onPushback(this.generations[slot]);
                }
                else {
                    this.rate.onAnswer();
                }
            }
        }
        else if (outcome instanceof Outcome.Failure failure
                && (failure.error() instanceof AttemptTimeoutException || failure.error() instanceof RetryDeadlineExceededException)) {
            record(now - this.sentAt[slot]);
        }
    }

    /** Attempt {@code attempt} was answered below 400. */
    void succeeded(int attempt, long now) {
        int slot = slotOf(attempt);
        if (slot >= 0) {
            this.attempts[slot] = 0;
            record(now - this.sentAt[slot]);
            if (this.rate != null) {
                this.rate.onAnswer();
            }
        }
    }

    /**
     * Every copy in flight but {@code except} is cut (it lost, or the call ended): none is recorded. A
     * copy cut as another answers says only that it was slower than the winner; counted at the time
     * it was cut, most such copies would sit just above the hedging delay they were hedged at, and
     * hold the destination's percentile up at that delay, whatever its answers' latencies became.
     */
    void cutAllBut(int except) {
        for (int i = 0; i < this.attempts.length; i++) {
            if (this.attempts[i] != 0 && this.attempts[i] != except) {
                this.attempts[i] = 0;
            }
        }
    }

    private void record(long nanos) {
        if (this.latency != null) {
            this.latency.record(nanos);
        }
    }

    private int slotOf(int attempt) {
        for (int i = 0; i < this.attempts.length; i++) {
            if (this.attempts[i] == attempt) {
                return i;
            }
        }
        return -1;
    }

    /** A 429 or 503, or any answer that says when to come back ({@code Retry-After}, rate-limit headers). */
    static boolean pushedBack(Outcome.Response response) {
        int status = response.status();
        return status == 429 || status == 503 || response.retryAfter() != null || response.rateLimit() != null
                || response.rateLimitReset() != null || response.xRateLimitReset() != null;
    }
}
