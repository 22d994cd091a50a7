package dev.httpretry.webclient;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link Scheduler} for timed tasks that are mostly cancelled before they are due, such as
 * attempt timeouts: backed by Netty's {@link HashedWheelTimer}, so arming a task is an enqueue
 * and cancelling it a flag, with no lock and no thread woken, however many are pending.
 *
 * <p>Precision is the tick: a task runs after its delay and at most about one tick later, never
 * earlier. Its {@link #now(TimeUnit) clock} is {@link System#nanoTime()}. One thread keeps the
 * wheel; a task that comes due is handed to {@link Schedulers#parallel()} to run, so a slow task
 * (a listener, sending the next attempt) never holds up the others' timers. Tasks still pending
 * when the scheduler is {@link #dispose() disposed} never run.
 *
 * <p>Thread-safe. Needs {@code io.netty:netty-common} (which Reactor Netty brings).
 */
public final class HashedWheelScheduler implements Scheduler {

    /** The tick of the scheduler {@link #shared()} uses: {@value} ms. */
    public static final long DEFAULT_TICK_MILLIS = 1;

    private static final AtomicInteger THREADS = new AtomicInteger();

    private static volatile @Nullable HashedWheelScheduler shared;

    private final HashedWheelTimer timer;

    private final long tickNanos;

    private volatile boolean disposed;

    private HashedWheelScheduler(long tickNanos, Executor taskExecutor) {
        this.tickNanos = tickNanos;
        ThreadFactory threads = (runnable) -> {
            Thread thread = new Thread(runnable, "http-retry-timer-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        // 1024 buckets: a 1 ms wheel turns once a second, so a bucket holds about a thousandth of the pending tasks
        this.timer = new HashedWheelTimer(threads, tickNanos, TimeUnit.NANOSECONDS, 1024, false, -1, taskExecutor);
    }

    /**
     * A scheduler with its own timer thread (started on its first task), whose due tasks run on
     * {@link Schedulers#parallel()}. {@link #dispose() Dispose} of it when done.
     * @param tick the wheel's tick: how late a task may run at most, and how often the timer thread wakes
     * @return the scheduler
     * @throws IllegalArgumentException if the tick is not positive
     */
    public static HashedWheelScheduler create(Duration tick) {
        return create(tick, HashedWheelScheduler::runOnParallel);
    }

    /**
     * A scheduler with its own timer thread whose due tasks are handed to {@code taskExecutor};
     * {@link Runnable#run()} runs them on the timer thread itself, which is the most precise and
     * suits tasks that are short and never block.
     * @param tick the wheel's tick
     * @param taskExecutor runs each task that comes due
     * @return the scheduler
     * @throws IllegalArgumentException if the tick is not positive
     */
    public static HashedWheelScheduler create(Duration tick, Executor taskExecutor) {
        Objects.requireNonNull(tick, "tick");
        if (tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("Invalid tick (" + tick + "): must be positive");
        }
        return new HashedWheelScheduler(tick.toNanos(), Objects.requireNonNull(taskExecutor, "taskExecutor"));
    }

    /**
     * The scheduler shared by every filter made without one (a 1 ms tick, a daemon thread made on
     * its first task); like {@link Schedulers#parallel()}, it lives as long as the JVM.
     * @return the shared scheduler
     */
    public static HashedWheelScheduler shared() {
        HashedWheelScheduler scheduler = shared;
        if (scheduler == null) {
            synchronized (HashedWheelScheduler.class) {
                scheduler = shared;
                if (scheduler == null) {
                    scheduler = create(Duration.ofMillis(DEFAULT_TICK_MILLIS));
                    shared = scheduler;
                }
            }
        }
        return scheduler;
    }

    /**
     * The wheel's tick.
     * @return the tick
     */
    public Duration tick() {
        return Duration.ofNanos(this.tickNanos);
    }

    /**
     * Tasks armed and neither run nor cancelled yet (a cancelled task is counted until the next tick).
     * @return the number of pending tasks
     */
    public long pendingTasks() {
        return this.timer.pendingTimeouts();
    }

    /** Runs the task at the wheel's next tick. */
    @Override
    public Disposable schedule(Runnable task) {
        return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    /**
     * Runs the task after the delay, at most about a tick later.
     * @throws RejectedExecutionException once disposed
     */
    @Override
    public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
        if (this.disposed) {
            throw new RejectedExecutionException("The scheduler is disposed");
        }
        Task scheduled = new Task(task);
        try {
            Timeout timeout = this.timer.newTimeout(scheduled, delay, unit);
            if (!scheduled.isDisposed()) {
                scheduled.timeout = timeout;
            }
        }
        catch (IllegalStateException stopped) {
            throw new RejectedExecutionException("The scheduler is disposed", stopped);
        }
        return scheduled;
    }

    @Override
    public long now(TimeUnit unit) {
        return unit.convert(System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public Worker createWorker() {
        return new WheelWorker();
    }

    /** Stops the timer thread; tasks still pending never run. */
    @Override
    public void dispose() {
        if (this == shared) {
            // shared by every filter made without a scheduler: it ends with the JVM
            return;
        }
        this.disposed = true;
        this.timer.stop();
    }

    @Override
    public boolean isDisposed() {
        return this.disposed;
    }

    @Override
    public String toString() {
        return "HashedWheelScheduler[tick=" + tick() + "]";
    }

    private static void runOnParallel(Runnable task) {
        try {
            Schedulers.parallel().schedule(task);
        }
        catch (RejectedExecutionException parallelDisposed) {
            task.run();
        }
    }

    /**
     * One armed task: the timer's task and, for its owner, the handle that cancels it. Once run or
     * cancelled it lets go of the wheel's entry and of the task, so an owner that keeps the handle
     * (a finished attempt keeps its timer's) keeps 16 bytes, not the wheel's entry and all the task refers to.
     */
    private static final class Task implements TimerTask, Disposable {

        private volatile @Nullable Runnable runnable;

        volatile @Nullable Timeout timeout;

        Task(Runnable runnable) {
            this.runnable = runnable;
        }

        @Override
        public void run(Timeout expired) {
            Runnable task = this.runnable;
            this.runnable = null;
            this.timeout = null;
            if (task != null) {
                task.run();
            }
        }

        @Override
        public void dispose() {
            this.runnable = null;
            Timeout pending = this.timeout;
            this.timeout = null;
            if (pending != null) {
                pending.cancel();
            }
        }

        @Override
        public boolean isDisposed() {
            return this.runnable == null;
        }
    }

    /**
     * Tasks on the wheel, cancelled together when the worker is disposed. A task that comes due is
     * handed to a worker of {@link Schedulers#parallel()}, so a worker's tasks run one at a time, in order.
     */
    private final class WheelWorker implements Worker {

        private final Disposable.Composite tasks = Disposables.composite();

        private final Worker runner = Schedulers.parallel().createWorker();

        WheelWorker() {
            this.tasks.add(this.runner);
        }

        @Override
        public Disposable schedule(Runnable task) {
            return this.runner.schedule(task);
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            if (this.tasks.isDisposed()) {
                throw new RejectedExecutionException("The worker is disposed");
            }
            Disposable[] handle = new Disposable[1];
            Runnable due = () -> {
                this.tasks.remove(handle[0]);
                this.runner.schedule(task);
            };
            handle[0] = HashedWheelScheduler.this.schedule(due, delay, unit);
            this.tasks.add(handle[0]);
            return handle[0];
        }

        @Override
        public void dispose() {
            this.tasks.dispose();
        }

        @Override
        public boolean isDisposed() {
            return this.tasks.isDisposed();
        }
    }
}
