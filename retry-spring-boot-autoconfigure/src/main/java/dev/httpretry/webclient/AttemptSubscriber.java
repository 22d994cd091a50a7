package dev.httpretry.webclient;

import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.util.context.Context;

import org.springframework.web.reactive.function.client.ClientResponse;

/**
 * Subscribes to one attempt's exchange and is its timer: whichever of the response, the error,
 * the timeout and the caller's cancellation comes first moves the attempt from pending to done and
 * is handed to the {@link RetryingCall}; the others do nothing (a late response is released).
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

    AttemptSubscriber(RetryingCall call) {
        this.call = call;
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
                this.observation.stop(response);
            }
            this.call.onResponse(response);
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
            this.call.onAttemptError(error);
        }
    }

    @Override
    public void onComplete() {
        if (!this.responded && win()) {
            this.call.onAttemptEmpty();
        }
    }

    /** The attempt timeout. */
    @Override
    public void run() {
        if (DONE.compareAndSet(this, 0, 1)) {
            cancelUpstream();
            if (this.observation != null) {
                this.observation.stop(new TimeoutException("No response within the attempt's timeout"));
            }
            this.call.onAttemptTimeout();
        }
    }

    /**
     * The caller cancelled.
     * @return whether the attempt was still in flight
     */
    boolean cancelByCaller() {
        if (DONE.compareAndSet(this, 0, 1)) {
            cancelUpstream();
            disposeTimer();
            if (this.observation != null) {
                this.observation.stop(new CancellationException("The caller cancelled the call"));
            }
            return true;
        }
        return false;
    }

    private boolean win() {
        if (DONE.compareAndSet(this, 0, 1)) {
            disposeTimer();
            return true;
        }
        return false;
    }

    private void disposeTimer() {
        Disposable pending = this.timer;
        if (pending != null) {
            pending.dispose();
        }
    }

    private void cancelUpstream() {
        Subscription subscription = this.upstream;
        if (subscription != null) {
            subscription.cancel();
        }
    }
}
