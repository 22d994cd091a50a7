package dev.httpretry.webclient;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import dev.httpretry.client.RetryWaits;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/** A WebClient call's wait before its next attempt: a timer task, registered with the application's {@link RetryWaits}. */
final class PendingWaits {

    private PendingWaits() {
    }

    /**
     * Runs {@code task} after {@code nanos}, unless the waits are stopped first.
     * @param onStop told instead of running the task when the wait cannot start or is cut short
     * @return the pending wait, to dispose if the caller cancels; {@code null} if it did not start
     */
    static @Nullable Disposable schedule(RetryWaits waits, Scheduler scheduler, Runnable task, long nanos,
            Consumer<Throwable> onStop) {
        Wait wait = new Wait(waits, task, onStop);
        if (!waits.enter(wait)) {
            onStop.accept(RetryWaits.stoppedError());
            return null;
        }
        try {
            wait.timer = scheduler.schedule(wait, nanos, TimeUnit.NANOSECONDS);
        }
        catch (RuntimeException rejected) {
            if (wait.claim()) {
                onStop.accept(rejected);
            }
            return null;
        }
        if (wait.get()) {
            // stopped while the timer was armed
            wait.disposeTimer();
        }
        return wait;
    }

    private static final class Wait extends AtomicBoolean implements Runnable, Disposable, RetryWaits.Waiter {

        private static final long serialVersionUID = 1L;

        private final transient RetryWaits waits;

        private final transient Runnable task;

        private final transient Consumer<Throwable> onStop;

        private transient volatile @Nullable Disposable timer;

        Wait(RetryWaits waits, Runnable task, Consumer<Throwable> onStop) {
            this.waits = waits;
            this.task = task;
            this.onStop = onStop;
        }

        @Override
        public void run() {
            if (claim()) {
                this.task.run();
            }
        }

        @Override
        public void dispose() {
            if (claim()) {
                disposeTimer();
            }
        }

        @Override
        public boolean isDisposed() {
            return get();
        }

        @Override
        public void stop(IllegalStateException reason) {
            if (compareAndSet(false, true)) {
                disposeTimer();
                this.onStop.accept(reason);
            }
        }

        boolean claim() {
            if (compareAndSet(false, true)) {
                this.waits.leave(this);
                return true;
            }
            return false;
        }

        void disposeTimer() {
            Disposable scheduled = this.timer;
            if (scheduled != null) {
                scheduled.dispose();
            }
        }
    }
}
