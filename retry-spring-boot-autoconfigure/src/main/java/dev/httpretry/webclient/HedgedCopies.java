package dev.httpretry.webclient;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import dev.httpretry.core.Outcome;
import dev.httpretry.core.RetryDecision;
import dev.httpretry.core.RetryExecution;
import dev.httpretry.core.StopReason;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * The copies of a hedged call, made only for a call that may be hedged: the lock that orders the
 * events its copies report from different threads, the timer of the next hedge, and each copy by
 * its attempt number, so that the copies the execution says have lost can be cancelled. Which
 * copies are in flight is the execution's to know; this only finds them.
 */
final class HedgedCopies {

    private final ReentrantLock lock = new ReentrantLock();

    /** How long the last copy goes unanswered before the next hedge. */
    private final long delayNanos;

    /** Each copy sent, by attempt number. */
    private final @Nullable AttemptSubscriber[] copies;

    /** The copy sent last: the one a hedge timer was armed for. */
    private volatile @Nullable AttemptSubscriber latest;

    private volatile @Nullable Disposable timer;

    HedgedCopies(long delayNanos, int maxAttempts) {
        this.delayNanos = delayNanos;
        this.copies = new AttemptSubscriber[maxAttempts + 1];
    }

    void lock() {
        this.lock.lock();
    }

    void unlock() {
        this.lock.unlock();
    }

    /** A copy goes out: the hedge after it is armed. */
    void sent(AttemptSubscriber copy, RetryingCall call) {
        this.copies[copy.number] = copy;
        this.latest = copy;
        this.timer = call.scheduler.schedule(() -> due(copy, call), this.delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The hedge armed when {@code last} was sent is due: another copy goes out, unless a later one went out since or the call does not allow one. */
    private void due(AttemptSubscriber last, RetryingCall call) {
        lock();
        try {
            if (this.latest == last && call.mayHedge()) {
                call.send();
            }
        }
        finally {
            unlock();
        }
    }

    /**
     * A decision on a copy: one that settles the round (the call ends, or waits for its next
     * attempt) disarms the next hedge; the copies it made lose are cancelled, each reported as the
     * execution reported it (the deadline's error when the deadline cut them).
     */
    void decided(RetryExecution execution, RetryDecision decision) {
        if (!(decision instanceof RetryDecision.OthersGoOn)) {
            dispose(this.timer);
        }
        Throwable why = (decision instanceof RetryDecision.Stop stop && stop.reason() == StopReason.DEADLINE
                && execution.lastOutcome() instanceof Outcome.Failure failure) ? failure.error() : null;
        cancelLost(execution, why);
    }

    /** The call ended without a decision on an answer (the caller cancelled, or no response came): the other copies are cancelled. */
    void ended(RetryExecution execution) {
        dispose(this.timer);
        cancelLost(execution, null);
    }

    private void cancelLost(RetryExecution execution, @Nullable Throwable why) {
        execution.forEachLostCopy((number) -> {
            AttemptSubscriber copy = this.copies[number];
            if (copy != null) {
                copy.lose(why);
            }
        });
    }

    /**
     * The caller cancelled: every copy is cancelled, and the release of a failed copy's response stops.
     * @return whether any copy was still in flight
     */
    boolean cancelAll() {
        dispose(this.timer);
        boolean inFlight = false;
        for (AttemptSubscriber copy : this.copies) {
            if (copy != null) {
                inFlight |= copy.cancelByCaller();
            }
        }
        return inFlight;
    }

    private static void dispose(@Nullable Disposable disposable) {
        if (disposable != null) {
            disposable.dispose();
        }
    }
}
