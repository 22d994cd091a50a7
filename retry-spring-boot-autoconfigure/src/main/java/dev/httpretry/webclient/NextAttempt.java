package dev.httpretry.webclient;

import dev.httpretry.client.AttemptObservation;
import dev.httpretry.client.RetryWaits;
import dev.httpretry.core.RetryDecision;
import dev.httpretry.core.RetryExecution;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

import org.springframework.web.reactive.function.client.ClientResponse;

/**
 * What a call does between a decision to retry and its next attempt: the retried response is
 * released ({@link BodyDrain}: at most {@link RetryExecution#RELEASE_MAX_BYTES} and
 * {@link RetryExecution#releaseNanos()}, its connection closed beyond that) while the wait runs, and
 * the wait ({@link PendingWaits}) ends early, ending the call, when the application stops.
 */
final class NextAttempt {

    private NextAttempt() {
    }

    /**
     * Acts on the decision on a response: a hedged call's failed copy is released while the others go
     * on; a retried response is released, then the call waits; else the response goes to the caller.
     */
    static void afterResponse(RetryingCall call, AttemptSubscriber copy, ClientResponse response, RetryDecision decision) {
        if (decision instanceof RetryDecision.OthersGoOn) {
            CallObservation.forgetResponse(call.actualContext());
            copy.drain = release(response, call.scheduler, call.execution);
        }
        else if (decision instanceof RetryDecision.Retry retry) {
            CallObservation.forgetResponse(call.actualContext());
            call.waitFor(releaseThenWait(call, response, retry.delay().toNanos()));
        }
        else {
            if (call.hedged()) {
                CallObservation.keepResponse(call.actualContext(), response);
            }
            call.releaseBody();
            call.complete(response);
        }
    }

    /** Acts on the decision on an exception or a timeout: the call waits for its next attempt, or fails. */
    static void afterFailure(RetryingCall call, RetryDecision decision) {
        if (decision instanceof RetryDecision.Retry retry) {
            long delayNanos = retry.delay().toNanos();
            observeWait(call, delayNanos);
            call.waitFor(waitOnly(call, toWait(call, delayNanos)));
        }
        else if (decision instanceof RetryDecision.Stop) {
            call.fail();
        }
    }

    /**
     * Releases a hedged call's failed copy while the other copies go on.
     * @return the release, to dispose if the caller cancels
     */
    static Disposable release(ClientResponse response, Scheduler scheduler, RetryExecution execution) {
        BodyDrain drain = new BodyDrain(scheduler, execution.releaseNanos(), () -> {
        });
        drain.drain(response);
        return drain;
    }

    /**
     * Releases a retried response, then waits what is left of {@code delayNanos} and sends the next attempt.
     * @return what the call waits on: the release, then the wait
     */
    static Disposable releaseThenWait(RetryingCall call, ClientResponse response, long delayNanos) {
        observeWait(call, delayNanos);
        long waitEnd = call.getAsLong() + toWait(call, delayNanos);
        BodyDrain drain = new BodyDrain(call.scheduler, call.execution.releaseNanos(),
                () -> call.waitFor(waitOnly(call, Math.max(0, waitEnd - call.getAsLong()))));
        drain.drain(response);
        return drain;
    }

    /**
     * Waits {@code delayNanos}, then sends the next attempt; a wait the stopping application refuses or cuts ends the call.
     * @return the wait, or {@code null} if it did not start
     */
    static @Nullable Disposable waitOnly(RetryingCall call, long delayNanos) {
        if (call.isCancelled()) {
            return null;
        }
        return PendingWaits.schedule(call.filter.waits, call.scheduler, () -> takeTurn(call), delayNanos, call::stopped);
    }

    /**
     * Sends the next attempt when its turn at its destination comes ({@code adaptive.enabled}): now,
     * after a wait (a real one, even in a test that skips waits), or never, the call failing at once
     * when the turn would come after its deadline.
     */
    static void takeTurn(RetryingCall call) {
        if (call.isCancelled()) {
            return;
        }
        long turn = call.execution.turnNanos();
        if (turn == 0) {
            call.sendAttempt();
        }
        else if (turn < 0) {
            call.fail();
        }
        else {
            call.waitFor(PendingWaits.schedule(call.filter.waits, call.scheduler, call::sendAttempt, turn, call::stopped));
        }
    }

    /**
     * How long the call waits in fact for a wait of {@code nanos}: all of it, or, when the waits are
     * skipped ({@link RetryWaits#skipsWaits()}), nothing, and the call's clock moves on by it instead.
     */
    static long toWait(RetryingCall call, long nanos) {
        if (!call.filter.waits.skipsWaits()) {
            return nanos;
        }
        call.execution.skipWait(nanos);
        return 0;
    }

    /** Marks the wait on the call's observation (with tracing: an event on its span). */
    static void observeWait(RetryingCall call, long delayNanos) {
        if (!call.filter.observations.isNoop()) {
            AttemptObservation.waiting(CallObservation.of(call.actualContext()), call.execution.attempts() + 1, delayNanos);
        }
    }
}
