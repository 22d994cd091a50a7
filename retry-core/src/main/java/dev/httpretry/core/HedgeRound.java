package dev.httpretry.core;

import java.time.Duration;
import java.util.function.IntConsumer;

import org.jspecify.annotations.Nullable;

/**
 * The copies of one hedged call ({@link RetrySettings.HedgingSettings}): which are in flight, the
 * hedges sent, whether another may go out, the copies that lost when a round was settled, and what
 * a copy's pushback from the server means for the rest of the call. Kept by its
 * {@link RetryExecution}, made when the call first tries to hedge; not thread-safe, like it.
 */
final class HedgeRound {

    /** The attempt numbers of the copies in flight: the current round's copies that have not been decided on. */
    private final int[] inFlight;

    private int inFlightCount;

    /** The attempt numbers of the hedges sent. */
    private final int[] sent;

    private int sentCount;

    /** The copies that lost when the round was last settled, for the adapter to cancel. */
    private final int[] lost;

    private int lostCount;

    /** No more hedges: the budget refused one, or the server pushed back. */
    boolean stopped;

    /** The attempt whose outcome the call ended on, when it was not retried; 0 otherwise. */
    int winner;

    /** When the pushback a copy received ends ({@code nanoTime}), if {@link #notBeforeSource} is set. */
    private long notBeforeNanos;

    private @Nullable DelaySource notBeforeSource;

    /** Why the call stops once its last copy fails: a copy was told to wait longer than allowed; {@code null} otherwise. */
    @Nullable StopReason stopReason;

    HedgeRound(int maxHedges) {
        this.inFlight = new int[maxHedges + 1];
        this.sent = new int[maxHedges];
        this.lost = new int[maxHedges + 1];
    }

    void started(int attempt) {
        if (this.inFlightCount == this.inFlight.length) {
            throw new IllegalStateException("More copies in flight than 1 + max-hedges: " + java.util.Arrays.toString(this.inFlight));
        }
        this.inFlight[this.inFlightCount++] = attempt;
    }

    /** Whether another hedge may go out: not stopped, within max-hedges, and some copy is still unanswered. */
    boolean mayHedge() {
        return !this.stopped && this.sentCount < this.sent.length && this.inFlightCount > 0;
    }

    void hedgeSent(int attempt) {
        started(attempt);
        this.sent[this.sentCount++] = attempt;
    }

    int inFlight() {
        return this.inFlightCount;
    }

    /** Takes the attempt out of those in flight; {@code false} if it was not in flight. */
    boolean finished(int attempt) {
        for (int i = 0; i < this.inFlightCount; i++) {
            if (this.inFlight[i] == attempt) {
                this.inFlight[i] = this.inFlight[--this.inFlightCount];
                return true;
            }
        }
        return false;
    }

    /**
     * A copy failed while others are in flight, and the call alone would have answered {@code alone}:
     * a pushback to wait ends hedging and holds off the next round; a pushback beyond what is allowed
     * (longer than {@code max-wait}, or past the deadline) ends hedging and, once the others fail, the call.
     */
    void copyFailed(RetryDecision alone, long now) {
        if (alone instanceof RetryDecision.Retry retry && retry.source() != DelaySource.BACKOFF) {
            this.stopped = true;
            long until = now + retry.delay().toNanos();
            if (this.notBeforeSource == null || until - this.notBeforeNanos > 0) {
                this.notBeforeNanos = until;
                this.notBeforeSource = retry.source();
            }
        }
        else if (alone instanceof RetryDecision.Stop stop
                && (stop.reason() == StopReason.RETRY_AFTER_TOO_LONG || stop.reason() == StopReason.DEADLINE)) {
            this.stopped = true;
            if (this.stopReason == null) {
                this.stopReason = stop.reason();
            }
        }
    }

    /**
     * The decision on the last copy of a round, given what earlier copies were told: a retry waits at
     * least until an earlier copy's pushback ends (a stop if that reaches the deadline), or becomes
     * the stop an earlier copy's pushback beyond what is allowed asked for.
     */
    RetryDecision lastCopy(RetryDecision decision, long now, long timeLeftNanos) {
        if (!(decision instanceof RetryDecision.Retry retry)) {
            return decision;
        }
        if (this.stopReason != null) {
            return new RetryDecision.Stop(retry.category(), this.stopReason);
        }
        DelaySource source = this.notBeforeSource;
        long wait = this.notBeforeNanos - now;
        if (source == null || wait <= retry.delay().toNanos()) {
            return retry;
        }
        if (wait >= timeLeftNanos) {
            return new RetryDecision.Stop(retry.category(), StopReason.DEADLINE);
        }
        return new RetryDecision.Retry(retry.category(), Duration.ofNanos(wait), source);
    }

    /**
     * Every copy in flight but {@code except} loses: it is no longer in flight, {@code told} hears of
     * it, and it is kept among the lost for the adapter to cancel.
     */
    void lose(int except, IntConsumer told) {
        for (int i = 0; i < this.inFlightCount; i++) {
            int copy = this.inFlight[i];
            if (copy != except && this.lostCount < this.lost.length) {
                this.lost[this.lostCount++] = copy;
                told.accept(copy);
            }
        }
        this.inFlightCount = 0;
    }

    /** The copies that lost since this was last asked, each once. */
    void forEachLost(IntConsumer copy) {
        int count = this.lostCount;
        this.lostCount = 0;
        for (int i = 0; i < count; i++) {
            copy.accept(this.lost[i]);
        }
    }

    /** Tells the listener how each hedge sent ended: won if its answer was the call's, else lost. */
    void tellHedges(RetryListener listener, String client, String method) {
        for (int i = 0; i < this.sentCount; i++) {
            int hedge = this.sent[i];
            listener.onHedge(new HedgeEvent(client, method, hedge, hedge == this.winner ? HedgeEvent.Outcome.WON : HedgeEvent.Outcome.LOST));
        }
    }
}
