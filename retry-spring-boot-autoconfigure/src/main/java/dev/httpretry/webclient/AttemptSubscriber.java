package dev.httpretry.webclient;

import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import dev.httpretry.client.AttemptObservation;
import dev.httpretry.core.RetryExecution;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.util.context.Context;

import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.web.reactive.function.client.ClientResponse;

/**
 * Subscribes to one attempt's exchange and is its timer: whichever of the response, the error,
 * the timeout and a cancellation (the caller's, or another copy's win when the call is hedged)
 * comes first moves the attempt from pending to done and is handed to the {@link RetryingCall};
 * the others do nothing (a late response is released).
 */
final class AttemptSubscriber implements CoreSubscriber<ClientResponse>, Runnable {

    private static final AtomicIntegerFieldUpdater<AttemptSubscriber> DONE =
            AtomicIntegerFieldUpdater.newUpdater(AttemptSubscriber.class, "done");

    private final RetryingCall call;

    private volatile int done;

    private volatile @Nullable Subscription upstream;

    /** The attempt timeout's task, once armed. */
    volatile @Nullable Disposable timer;

    /** The attempt's own observation, when calls are observed. */
    @Nullable AttemptObservation observation;

    private boolean responded;

    /** The attempt's number. */
    final int number;

    /** Whether its timeout is the call's deadline. */
    final boolean cutByDeadline;

    /** The release of this copy's retried response, while other copies of a hedged call go on. */
    volatile @Nullable Disposable drain;

    /** A hedged copy's native request (on Reactor Netty, its connection), once the connector writes it. */
    private volatile @Nullable Object connection;

    AttemptSubscriber(RetryingCall call, int number, boolean cutByDeadline) {
        this.call = call;
        this.number = number;
        this.cutByDeadline = cutByDeadline;
    }

    /**
     * Sends the attempt (or copy) the call's execution has just started: its timeout is armed, a
     * hedged call's next hedge too, and its request goes to the rest of the exchange.
     * @return the attempt
     */
    static AttemptSubscriber send(RetryingCall call, @Nullable HedgedCopies copies) {
        RetryExecution execution = call.execution;
        AttemptSubscriber attempt = new AttemptSubscriber(call, execution.attempts(), execution.attemptCutByDeadline());
        try {
            attempt.timer = call.scheduler.schedule(attempt, execution.attemptTimeoutNanos(), TimeUnit.NANOSECONDS);
            if (copies != null) {
                copies.sent(attempt, call);
            }
            call.next.exchange(AttemptRequests.of(call, attempt)).subscribe(attempt);
        }
        catch (RuntimeException ex) {
            attempt.onError(ex);
        }
        if (call.isCancelled()) {
            attempt.cancelByCaller();
        }
        return attempt;
    }

    @Override
    public Context currentContext() {
        return this.call.attemptContext();
    }

    @Override
    public void onSubscribe(Subscription subscription) {
        this.upstream = subscription;
        if (this.done != 0) {
            subscription.cancel();
        }
        else {
            subscription.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(ClientResponse response) {
        this.responded = true;
        if (win()) {
            if (this.observation != null) {
                this.observation.stop(response, response.statusCode().value());
            }
            this.call.onResponse(this, response);
        }
        else {
            Responses.release(response);
        }
    }

    @Override
    public void onError(Throwable error) {
        // an error after the timeout or the caller's cancellation is the cancelled exchange's own: ignore it
        if (win()) {
            if (this.observation != null) {
                this.observation.stop(error);
            }
            this.call.onAttemptFailed(this, dev.httpretry.core.Outcome.failure(error));
        }
    }

    @Override
    public void onComplete() {
        if (!this.responded && win()) {
            this.call.onAttemptEmpty(this);
        }
    }

    /**
     * The connector is writing this hedged copy's request: its connection is kept, so that a cancel
     * closes it for good ({@link CancelledConnections}), at once if the copy was cancelled already.
     */
    void writing(ClientHttpRequest request) {
        Object nativeRequest = request.getNativeRequest();
        this.connection = nativeRequest;
        if (this.done != 0) {
            CancelledConnections.neverReused(nativeRequest);
        }
    }

    /** The attempt timeout. */
    @Override
    public void run() {
        if (DONE.compareAndSet(this, 0, 1)) {
            CancelledConnections.neverReused(this.connection);
            cancelUpstream();
            // the call stops the observation with the error the execution records for the timeout
            this.call.onAttemptFailed(this, null);
        }
    }

    /**
     * The caller cancelled.
     * @return whether the attempt was still in flight
     */
    boolean cancelByCaller() {
        Disposable drain = this.drain;
        if (drain != null) {
            drain.dispose();
        }
        return cancel("The caller cancelled the call");
    }

    /**
     * Another copy of the hedged call answered first, or the call ended without it.
     * @param why what ended the call, as the execution told the listener of this copy ({@code null}: another copy answered)
     */
    void lose(@Nullable Throwable why) {
        cancel((why != null) ? why : new CancellationException("Another copy of the request answered first"));
    }

    private boolean cancel(String why) {
        return cancel(new CancellationException(why));
    }

    private boolean cancel(Throwable why) {
        if (DONE.compareAndSet(this, 0, 1)) {
            CancelledConnections.neverReused(this.connection);
            cancelUpstream();
            disposeTimer();
            stopObservation(why);
            return true;
        }
        return false;
    }

    /** Ends the attempt's observation, if it is observed, with the error the execution recorded for it. */
    void stopObservation(Throwable error) {
        if (this.observation != null) {
            this.observation.stop(error);
        }
    }

    private boolean win() {
        if (DONE.compareAndSet(this, 0, 1)) {
            disposeTimer();
            // a decided attempt lets go of its exchange: a call waiting for its next attempt then holds
            // no connection state (nothing cancels that subscription once done is set)
            this.upstream = null;
            return true;
        }
        return false;
    }

    private void disposeTimer() {
        Disposable pending = this.timer;
        this.timer = null;
        if (pending != null) {
            pending.dispose();
        }
    }

    private void cancelUpstream() {
        Subscription subscription = this.upstream;
        this.upstream = null;
        if (subscription != null) {
            subscription.cancel();
        }
    }
}
