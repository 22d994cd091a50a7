package dev.httpretry.client;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The waits before a next attempt of one application, WebClient's and RestClient's alike, so that
 * stopping the application ends them at once instead of leaving calls to wake up (up to
 * {@code retry-after.max-wait} later) on stopped or closed connectors.
 *
 * <p>{@link #stop()} ends every pending wait and refuses new ones until {@link #start()}: a context
 * that is closed is stopped for good; one that is stopped or paused and then started again (Spring's
 * test-context cache pauses and restarts cached contexts) retries as before. Each application
 * context has its own, so closing one never ends another's waits. Thread-safe; a call that never
 * retries never touches it.
 *
 * <p>In an application's tests, the test artifact ({@code dev.httpretry:retry-spring-boot-test})
 * makes them {@link #forTests waits under test}.
 */
public final class RetryWaits {

    private final Set<Waiter> pending = ConcurrentHashMap.newKeySet();

    private final boolean underTest;

    private final boolean skipWaits;

    private volatile boolean stopped;

    /** The waits of an application: each wait lasts as long as its call decided. */
    public RetryWaits() {
        this(false, false);
    }

    private RetryWaits(boolean underTest, boolean skipWaits) {
        this.underTest = underTest;
        this.skipWaits = skipWaits;
    }

    /**
     * The waits of an application under test: each attempt's request names the client it runs under
     * (request attribute {@link RetryRequests#ATTRIBUTE}), so that what a test puts below the retry
     * layer, such as injected faults, can tell the clients apart; and, with {@code skipWaits}, every
     * wait ends at once while the call's clock moves on by the wait's full length, so that every
     * decision (the deadline, the next {@code Retry-After} against it) is the one real time would make.
     * @param skipWaits whether waits end at once ({@code http.retry.testing.skip-waits})
     * @return the waits
     */
    public static RetryWaits forTests(boolean skipWaits) {
        return new RetryWaits(true, skipWaits);
    }

    /**
     * Whether every wait ends at once, its length added to its call's clock instead.
     * @return {@code true} for {@link #forTests(boolean) waits under test} that skip waits
     */
    public boolean skipsWaits() {
        return this.skipWaits;
    }

    /**
     * Whether each attempt's request names the client it runs under, in {@link RetryRequests#ATTRIBUTE}.
     * @return {@code true} for {@link #forTests(boolean) waits under test}
     */
    public boolean namesClients() {
        return this.underTest;
    }

    /** A wait in progress that can be ended early. */
    public interface Waiter {

        /**
         * Ends the wait at once; called at most once per wait that {@link #enter entered}, and never
         * after it {@link #leave left}. Must not block.
         * @param reason why: the application is stopping
         */
        void stop(IllegalStateException reason);
    }

    /**
     * Registers a wait that is about to start.
     * @param waiter the wait
     * @return {@code false} if the waits are stopped: the wait must not start (its call ends with {@link #stoppedError()})
     */
    public boolean enter(Waiter waiter) {
        if (this.stopped) {
            return false;
        }
        this.pending.add(waiter);
        // a stop() that raced the add may or may not have seen it: never leave it waiting
        if (this.stopped && this.pending.remove(waiter)) {
            return false;
        }
        return true;
    }

    /**
     * Unregisters a wait that ended (its time passed, or its call was cancelled).
     * @param waiter the wait
     * @return {@code true} if it was still registered: no {@link #stop()} has ended it or will
     */
    public boolean leave(Waiter waiter) {
        return this.pending.remove(waiter);
    }

    /** Ends every pending wait at once and refuses new ones, until {@link #start()}. */
    public void stop() {
        this.stopped = true;
        for (Waiter waiter : this.pending) {
            if (this.pending.remove(waiter)) {
                waiter.stop(stoppedError());
            }
        }
    }

    /** Lets waits start again, after {@link #stop()}. */
    public void start() {
        this.stopped = false;
    }

    /**
     * Whether the waits are stopped.
     * @return {@code true} between {@link #stop()} and {@link #start()}
     */
    public boolean isStopped() {
        return this.stopped;
    }

    /**
     * How many waits are pending.
     * @return the number of waits entered and not yet left or stopped
     */
    public int pending() {
        return this.pending.size();
    }

    /**
     * The error a call ends with when its wait is ended, or refused, because the application is stopping.
     * @return a new exception
     */
    public static IllegalStateException stoppedError() {
        return new IllegalStateException("Not retrying: the application is shutting down (its context is closing or stopping),"
                + " so the wait before the next attempt was ended");
    }
}
