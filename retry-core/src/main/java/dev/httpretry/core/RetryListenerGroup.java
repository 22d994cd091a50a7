package dev.httpretry.core;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * Several listeners told of each event in turn, like {@link RetryListener#composite(List)}, but
 * without allocating anything per event: a plain loop over an array, no lambda, no iterator. One
 * that throws is logged and does not stop the others, nor the call. Immutable and thread-safe.
 */
public final class RetryListenerGroup implements RetryListener {

    private static final System.Logger LOGGER = System.getLogger(RetryListener.class.getName());

    private final RetryListener[] listeners;

    private RetryListenerGroup(RetryListener[] listeners) {
        this.listeners = listeners;
    }

    /**
     * The listeners as one, each isolated from the others' failures.
     * @param listeners the listeners; {@link RetryListener#NONE} among them is left out, and a group
     *        among them is flattened
     * @return {@link RetryListener#NONE} if none of them listens, else a group (a group given alone is returned as it is)
     */
    public static RetryListener of(List<? extends RetryListener> listeners) {
        if (listeners.size() == 1 && listeners.get(0) instanceof RetryListenerGroup group) {
            return group;
        }
        List<RetryListener> flat = new ArrayList<>(listeners.size());
        for (RetryListener listener : listeners) {
            if (listener instanceof RetryListenerGroup group) {
                flat.addAll(List.of(group.listeners));
            }
            else if (listener != NONE) {
                flat.add(listener);
            }
        }
        return flat.isEmpty() ? NONE : new RetryListenerGroup(flat.toArray(new RetryListener[0]));
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
        return "RetryListenerGroup" + List.of(this.listeners);
    }
}
