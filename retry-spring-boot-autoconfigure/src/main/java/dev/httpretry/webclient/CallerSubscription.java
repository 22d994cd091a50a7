package dev.httpretry.webclient;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * A {@code Mono} that is also the subscription its one subscriber holds, so that a call's
 * {@code Mono}, its subscription and its state can be one object: it hands its subscriber at most
 * one value, once requested (a value that arrives before the request waits for it), or an error, or
 * nothing; a cancel wins over a value not yet handed over, which is then discarded.
 *
 * @param <T> the value
 */
abstract class CallerSubscription<T> extends Mono<T> implements Subscription {

    private static final int NO_REQUEST = 0;

    private static final int REQUESTED = 1;

    private static final int VALUE_WAITING = 2;

    private static final int DONE = 3;

    private static final int CANCELLED = 4;

    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<CallerSubscription> STATE =
            AtomicIntegerFieldUpdater.newUpdater(CallerSubscription.class, "state");

    private volatile int state;

    private @Nullable T value;

    private @Nullable CoreSubscriber<? super T> actual;

    /** Hands this subscription to the subscriber; call once, before any signal. */
    final void subscribed(CoreSubscriber<? super T> subscriber) {
        this.actual = subscriber;
        subscriber.onSubscribe(this);
    }

    /** The caller cancelled, before it was given a value or an error. */
    abstract void cancelled();

    /** A value the caller will never see (it cancelled) is thrown away. */
    abstract void discard(T value);

    @Override
    public final void request(long n) {
        if (!Operators.validate(n)) {
            return;
        }
        while (true) {
            int state = this.state;
            if (state == NO_REQUEST) {
                if (STATE.compareAndSet(this, NO_REQUEST, REQUESTED)) {
                    return;
                }
            }
            else if (state == VALUE_WAITING) {
                if (STATE.compareAndSet(this, VALUE_WAITING, DONE)) {
                    T value = this.value;
                    this.value = null;
                    if (value != null) {
                        emit(value);
                    }
                }
                return;
            }
            else {
                return;
            }
        }
    }

    @Override
    public final void cancel() {
        int previous = STATE.getAndSet(this, CANCELLED);
        if (previous == VALUE_WAITING) {
            T value = this.value;
            this.value = null;
            if (value != null) {
                discard(value);
            }
        }
        else if (previous == NO_REQUEST || previous == REQUESTED) {
            cancelled();
        }
    }

    /** Hands the value over now if it was requested, else once it is; a cancelled caller's is discarded. */
    final void complete(T value) {
        while (true) {
            int state = this.state;
            if (state == REQUESTED) {
                if (STATE.compareAndSet(this, REQUESTED, DONE)) {
                    emit(value);
                    return;
                }
            }
            else if (state == NO_REQUEST) {
                this.value = value;
                if (STATE.compareAndSet(this, NO_REQUEST, VALUE_WAITING)) {
                    return;
                }
                this.value = null;
            }
            else {
                discard(value);
                return;
            }
        }
    }

    /** Completes without a value. */
    final void completeEmpty() {
        if (finish()) {
            subscriber().onComplete();
        }
    }

    /** Ends with an error; a caller that cancelled never sees it (Reactor's dropped-error hook does). */
    final void completeError(Throwable error) {
        if (finish()) {
            subscriber().onError(error);
        }
        else {
            Operators.onErrorDropped(error, actualContext());
        }
    }

    final boolean isCancelled() {
        return this.state == CANCELLED;
    }

    /** The subscriber's context. */
    final Context actualContext() {
        return subscriber().currentContext();
    }

    private boolean finish() {
        while (true) {
            int state = this.state;
            if (state == DONE || state == CANCELLED || state == VALUE_WAITING) {
                return false;
            }
            if (STATE.compareAndSet(this, state, DONE)) {
                return true;
            }
        }
    }

    private void emit(T value) {
        CoreSubscriber<? super T> subscriber = subscriber();
        subscriber.onNext(value);
        subscriber.onComplete();
    }

    private CoreSubscriber<? super T> subscriber() {
        CoreSubscriber<? super T> subscriber = this.actual;
        if (subscriber == null) {
            throw new IllegalStateException("Not subscribed");
        }
        return subscriber;
    }
}
