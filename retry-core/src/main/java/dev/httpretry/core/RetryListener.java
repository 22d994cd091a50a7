package dev.httpretry.core;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.function.Consumer;

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
     * Tells each listener in turn; one that throws is logged and does not stop the others.
     * @param listeners the listeners
     * @return a listener that forwards to all of them, or {@link #NONE} if none of them listens
     */
    static RetryListener composite(List<? extends RetryListener> listeners) {
        List<RetryListener> copy = listeners.stream().filter((listener) -> listener != NONE).map(RetryListener.class::cast).toList();
        if (copy.isEmpty()) {
            return NONE;
        }
        if (copy.size() == 1 && copy.get(0) instanceof CompositeRetryListener composite) {
            return composite;
        }
        return new CompositeRetryListener(copy);
    }
}

/** Forwards to several listeners, isolating each one's failures. */
final class CompositeRetryListener implements RetryListener {

    private static final System.Logger LOGGER = System.getLogger(RetryListener.class.getName());

    private final List<RetryListener> listeners;

    CompositeRetryListener(List<RetryListener> listeners) {
        this.listeners = listeners;
    }

    @Override
    public void onAttempt(AttemptEvent event) {
        forEach(listener -> listener.onAttempt(event));
    }

    @Override
    public void onBackoff(BackoffEvent event) {
        forEach(listener -> listener.onBackoff(event));
    }

    @Override
    public void onHedge(HedgeEvent event) {
        forEach(listener -> listener.onHedge(event));
    }

    @Override
    public void onCallEnd(CallEvent event) {
        forEach(listener -> listener.onCallEnd(event));
    }

    private void forEach(Consumer<RetryListener> notification) {
        for (RetryListener listener : listeners) {
            try {
                notification.accept(listener);
            }
            catch (RuntimeException ex) {
                failed(listener, ex);
            }
        }
    }

    private static void failed(RetryListener listener, RuntimeException ex) {
        LOGGER.log(Level.WARNING, "Retry listener " + listener + " failed; ignoring it for this event", ex);
    }
}
