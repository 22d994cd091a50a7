package dev.httpretry.webclient;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * The waits before a next attempt that are pending, so that shutting down ends them at once
 * instead of leaving calls to wake up (up to {@code retry-after.max-wait} later) on a closed
 * connector. Once {@link #close() closed}, no wait starts: the call ends with the reason why.
 * Thread-safe; a call that never retries never touches it.
 */
final class PendingWaits {

    private final Set<Wait> pending = ConcurrentHashMap.newKeySet();

    private volatile boolean closed;

    /**
     * Runs {@code task} after {@code nanos}, unless the waits are closed first.
     * @param onShutdown told instead of running the task when the wait cannot start or is cut short
     * @return the pending wait, to dispose if the caller cancels; {@code null} if it did not start
     */
    @Nullable Disposable schedule(Scheduler scheduler, Runnable task, long nanos, Consumer<Throwable> onShutdown) {
        if (this.closed) {
            onShutdown.accept(shuttingDown());
            return null;
        }
        Wait wait = new Wait(task, onShutdown);
        this.pending.add(wait);
        try {
            wait.timer = scheduler.schedule(wait, nanos, TimeUnit.NANOSECONDS);
        }
        catch (RuntimeException rejected) {
            wait.abort(rejected);
            return null;
        }
        if (this.closed) {
            wait.abort(shuttingDown());
        }
        return wait;
    }

    /** Ends every pending wait at once, and refuses new ones. */
    void close() {
        this.closed = true;
        for (Wait wait : this.pending) {
            wait.abort(shuttingDown());
        }
    }

    int size() {
        return this.pending.size();
    }

    private static IllegalStateException shuttingDown() {
        return new IllegalStateException("Not retrying: the application is shutting down, so the wait before the next attempt was ended");
    }

    private final class Wait extends AtomicBoolean implements Runnable, Disposable {

        private static final long serialVersionUID = 1L;

        private final transient Runnable task;

        private final transient Consumer<Throwable> onShutdown;

        private transient volatile @Nullable Disposable timer;

        Wait(Runnable task, Consumer<Throwable> onShutdown) {
            this.task = task;
            this.onShutdown = onShutdown;
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

        void abort(Throwable reason) {
            if (claim()) {
                disposeTimer();
                this.onShutdown.accept(reason);
            }
        }

        private boolean claim() {
            if (compareAndSet(false, true)) {
                PendingWaits.this.pending.remove(this);
                return true;
            }
            return false;
        }

        private void disposeTimer() {
            Disposable scheduled = this.timer;
            if (scheduled != null) {
                scheduled.dispose();
            }
        }
    }
}
