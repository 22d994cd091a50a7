package dev.httpretry.restclient;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The calling threads that wait before a next attempt, so that shutting down wakes them at once
 * instead of leaving them parked (up to {@code retry-after.max-wait}) before an attempt on a closed
 * client. A wait parks with {@link LockSupport#parkNanos}, never inside {@code synchronized}, so a
 * virtual thread unmounts from its carrier while it waits. Thread-safe.
 */
final class BlockingWaits {

    private final Set<Waiter> pending = ConcurrentHashMap.newKeySet();

    private volatile boolean closed;

    /** How a wait ended. */
    enum End {
        /** The time passed: send the next attempt. */
        ELAPSED,
        /** The calling thread was interrupted; its interrupt flag is set again. */
        INTERRUPTED,
        /** The waits were closed: the application is shutting down. */
        SHUTDOWN
    }

    /**
     * Parks the calling thread for {@code nanos}, unless it is interrupted or the waits are closed first.
     * @param nanos how long to wait
     * @return how the wait ended
     */
    End await(long nanos) {
        if (this.closed) {
            return End.SHUTDOWN;
        }
        Waiter waiter = new Waiter(Thread.currentThread());
        this.pending.add(waiter);
        try {
            long end = System.nanoTime() + nanos;
            while (true) {
                if (this.closed || waiter.woken) {
                    return End.SHUTDOWN;
                }
                if (Thread.currentThread().isInterrupted()) {
                    return End.INTERRUPTED;
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return End.ELAPSED;
                }
                LockSupport.parkNanos(this, left);
            }
        }
        finally {
            this.pending.remove(waiter);
        }
    }

    /** Wakes every waiting thread at once, and refuses new waits. */
    void close() {
        this.closed = true;
        for (Waiter waiter : this.pending) {
            waiter.woken = true;
            LockSupport.unpark(waiter.thread);
        }
    }

    int size() {
        return this.pending.size();
    }

    static IllegalStateException shuttingDown() {
        return new IllegalStateException("Not retrying: the application is shutting down, so the wait before the next attempt was ended");
    }

    private static final class Waiter {

        final Thread thread;

        volatile boolean woken;

        Waiter(Thread thread) {
            this.thread = thread;
        }
    }
}
