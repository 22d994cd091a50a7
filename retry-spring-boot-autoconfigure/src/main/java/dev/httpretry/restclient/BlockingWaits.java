package dev.httpretry.restclient;

import java.util.concurrent.locks.LockSupport;

import dev.httpretry.client.RetryWaits;

/**
 * A RestClient call's wait before its next attempt: the calling thread parks, registered with the
 * application's {@link RetryWaits} so that stopping the application wakes it at once instead of
 * leaving it parked (up to {@code retry-after.max-wait}) before an attempt on a closed client. A wait
 * parks with {@link LockSupport#parkNanos}, never inside {@code synchronized}, so a virtual thread
 * unmounts from its carrier while it waits.
 */
final class BlockingWaits {

    private BlockingWaits() {
    }

    /** How a wait ended. */
    enum End {
        /** The time passed: send the next attempt. */
        ELAPSED,
        /** The calling thread was interrupted; its interrupt flag is set again. */
        INTERRUPTED,
        /** The waits were stopped: the application is stopping or closing. */
        STOPPED
    }

    /**
     * Parks the calling thread for {@code nanos}, unless it is interrupted or the waits are stopped first.
     * @param waits the application's waits
     * @param nanos how long to wait
     * @return how the wait ended
     */
    static End await(RetryWaits waits, long nanos) {
        Waiter waiter = new Waiter(Thread.currentThread());
        if (!waits.enter(waiter)) {
            return End.STOPPED;
        }
        try {
            long end = System.nanoTime() + nanos;
            while (true) {
                if (waiter.stopped) {
                    return End.STOPPED;
                }
                if (Thread.currentThread().isInterrupted()) {
                    return End.INTERRUPTED;
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return End.ELAPSED;
                }
                LockSupport.parkNanos(waiter, left);
            }
        }
        finally {
            waits.leave(waiter);
        }
    }

    private static final class Waiter implements RetryWaits.Waiter {

        final Thread thread;

        volatile boolean stopped;

        Waiter(Thread thread) {
            this.thread = thread;
        }

        @Override
        public void stop(IllegalStateException reason) {
            this.stopped = true;
            LockSupport.unpark(this.thread);
        }
    }
}
