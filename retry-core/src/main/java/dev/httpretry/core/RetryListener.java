package dev.httpretry.core;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Told of every attempt, wait and call end, for metrics and live state. Methods run on the thread
 * that ends the attempt, so they must be quick and must not block; all have no-op defaults.
 * A listener that throws is logged and ignored by {@link #composite(List)}: it never breaks a call.
 */
public interface RetryListener {

    /** The listener that does nothing. */
    RetryListener NONE = new RetryListener() {
    };

    /**
     * The listener of a call that starts: this one, which hears every call (the default), or one of
     * the call's own, such as a record of that call alone. {@link RetryClient#start} asks as the call
     * starts, on the caller's thread; must be quick.
     * @param client the name of the client the call runs under
     * @param method the request method
     * @param uri the request's URI, query included
     * @return the listener of the call's events
     */
    default RetryListener forCall(String client, String method, URI uri) {
        return this;
    }

    /**
     * An attempt ended and the policy decided on it.
     * @param event the attempt
     */
    default void onAttempt(AttemptEvent event) {
    }

    /**
     * A wait before the next attempt starts.
     * @param event the wait
     */
    default void onBackoff(BackoffEvent event) {
    }

    /**
     * An attempt waits for its turn at its destination ({@code adaptive.enabled}) before it is sent.
     * @param event the wait
     */
    default void onThrottle(ThrottleEvent event) {
    }

    /**
     * A hedge (an extra copy of a request) was refused by the budget, or, when its call ended, won
     * or lost. Told before the call's end.
     * @param event the hedge
     */
    default void onHedge(HedgeEvent event) {
    }

    /**
     * A logical call ended.
     * @param event the call
     */
    default void onCallEnd(CallEvent event) {
    }

    /**
     * Tells each listener in turn, allocating nothing per event; one that throws is logged and does
     * not stop the others.
     * @param listeners the listeners; {@link #NONE} among them is left out, and a composite among them
     *     is flattened
     * @return a listener that forwards to all of them (a composite given alone is returned as it is), or
     *     {@link #NONE} if none of them listens
     */
    static RetryListener composite(List<? extends RetryListener> listeners) {
        List<RetryListener> present = listeners.stream().filter((listener) -> listener != NONE).map(RetryListener.class::cast).toList();
        if (present.size() == 1 && present.get(0) instanceof CompositeRetryListener composite) {
            return composite;
        }
        List<RetryListener> flat = new ArrayList<>(present.size());
        for (RetryListener listener : present) {
            if (listener instanceof CompositeRetryListener composite) {
                flat.addAll(List.of(composite.listeners));
            }
            else {
                flat.add(listener);
            }
        }
        return flat.isEmpty() ? NONE : new CompositeRetryListener(flat.toArray(new RetryListener[0]));
    }
}

/**
 * Forwards to several listeners, isolating each one's failures, without allocating per event (a
 * plain loop over an array: no lambda, no iterator).
 */
final class CompositeRetryListener implements RetryListener {

    private static final System.Logger LOGGER = System.getLogger(RetryListener.class.getName());

    final RetryListener[] listeners;

    CompositeRetryListener(RetryListener[] listeners) {
        this.listeners = listeners;
    }

    /** Each listener's own for the call; allocates only when one of them has one. */
    @Override
    public RetryListener forCall(String client, String method, URI uri) {
        RetryListener[] own = null;
        for (int i = 0; i < this.listeners.length; i++) {
            RetryListener listener = this.listeners[i];
            RetryListener forCall;
            try {
                forCall = listener.forCall(client, method, uri);
            }
            catch (RuntimeException ex) {
                failed(listener, ex);
                continue;
            }
            if (forCall != listener) {
                if (own == null) {
                    own = this.listeners.clone();
                }
                own[i] = forCall;
            }
        }
        return (own != null) ? new CompositeRetryListener(own) : this;
    }

    @Override
    public void onAttempt(AttemptEvent event) {
        for (RetryListener listener : this.listeners) {
            try {
                listener.onAttempt(event);
            }
            catch (RuntimeException ex) {
                failed(listener, ex);
            }
        }
    }

    @Override
    public void onBackoff(BackoffEvent event) {
        for (RetryListener listener : this.listeners) {
            try {
                listener.onBackoff(event);
            }
            catch (RuntimeException ex) {
                failed(listener, ex);
            }
        }
    }

    @Override
    public void onThrottle(ThrottleEvent event) {
        for (RetryListener listener : this.listeners) {
            try {
                listener.onThrottle(event);
            }
            catch (RuntimeException ex) {
                failed(listener, ex);
            }
        }
    }

    @Override
    public void onHedge(HedgeEvent event) {
        for (RetryListener listener : this.listeners) {
            try {
                listener.onHedge(event);
            }
            catch (RuntimeException ex) {
                failed(listener, ex);
            }
        }
    }

    @Override
    public void onCallEnd(CallEvent event) {
        for (RetryListener listener : this.listeners) {
            try {
                listener.onCallEnd(event);
            }
            catch (RuntimeException ex) {
                failed(listener, ex);
            }
        }
    }

    private static void failed(RetryListener listener, RuntimeException ex) {
        LOGGER.log(Level.WARNING, "Retry listener " + listener + " failed; ignoring it for this event", ex);
    }

    @Override
    public String toString() {
        return "CompositeRetryListener" + List.of(this.listeners);
    }
}
