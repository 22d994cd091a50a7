package dev.httpretry.restclient;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * Bounds one blocking attempt: when the attempt's time is up before it returns, the calling thread
 * is interrupted, which aborts a request of the request factories whose wait for the response is
 * interruptible (Reactor Netty's and the JDK {@code HttpClient}'s). Exactly one of the attempt's end
 * and the timer wins; when the timer won, {@link #finish()} clears the interrupt it caused, so it
 * never leaks to the caller.
 */
final class AttemptTimer extends AtomicInteger implements Runnable {

    private static final long serialVersionUID = 1L;

    /**
     * One daemon thread runs the timers of every attempt in the JVM, as Reactor's parallel scheduler
     * serves every WebClient: a timer only interrupts a thread, it never blocks. It outlives an
     * application context, so a call made while one closes is still bounded.
     */
    private static final ScheduledThreadPoolExecutor TIMER = newTimer();

    private static final int PENDING = 0;

    private static final int DONE = 1;

    private static final int FIRING = 2;

    private static final int FIRED = 3;

    private final transient Thread thread;

    private transient @Nullable ScheduledFuture<?> future;

    /** Closed by the timer before it interrupts, for a blocking read that an interrupt alone does not end. */
    private final transient @Nullable Closeable abort;

    private AttemptTimer(Thread thread, @Nullable Closeable abort) {
        this.thread = thread;
        this.abort = abort;
    }

    private static ScheduledThreadPoolExecutor newTimer() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, (task) -> {
            Thread thread = new Thread(task, "http-retry-attempt-timer");
            thread.setDaemon(true);
            return thread;
        });
        // a cancelled timer (almost every one: most attempts answer in time) leaves the queue at once
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /**
     * Starts the timer of an attempt that the calling thread is about to send.
     * @param nanos the attempt's time
     * @return the timer
     */
    static AttemptTimer start(long nanos) {
        return start(nanos, null);
    }

    /**
     * Starts a timer that, when the time is up, closes {@code abort} and then interrupts the calling thread.
     * @param nanos the time
     * @param abort what to close first (a body being read), or {@code null}
     * @return the timer
     */
    static AttemptTimer start(long nanos, @Nullable Closeable abort) {
        AttemptTimer attempt = new AttemptTimer(Thread.currentThread(), abort);
        attempt.future = TIMER.schedule(attempt, nanos, TimeUnit.NANOSECONDS);
        return attempt;
    }

    @Override
    public void run() {
        if (compareAndSet(PENDING, FIRING)) {
            try {
                if (this.abort != null) {
                    this.abort.close();
                }
            }
            catch (IOException | RuntimeException ex) {
                // closing is only a way to end the read; the interrupt follows anyway
            }
            finally {
                this.thread.interrupt();
                set(FIRED);
            }
        }
    }

    /**
     * Ends the attempt on the calling thread.
     * @return {@code true} if its time was up first (the interrupt it caused is cleared)
     */
    boolean finish() {
        if (compareAndSet(PENDING, DONE)) {
            ScheduledFuture<?> scheduled = this.future;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            return false;
        }
        while (get() != FIRED) {
            Thread.onSpinWait();
        }
        Thread.interrupted();
        return true;
    }
}
