package dev.httpretry.webclient;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The timer wheel as a Reactor scheduler: never early, cancellable, and closed for good once disposed. */
class HashedWheelSchedulerTests {

    private final HashedWheelScheduler scheduler = HashedWheelScheduler.create(Duration.ofMillis(1));

    @AfterEach
    void dispose() {
        this.scheduler.dispose();
    }

    @Test
    void aTaskRunsAfterItsDelayNeverBefore() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(20);
        AtomicInteger early = new AtomicInteger();
        for (int i = 0; i < 20; i++) {
            long delay = TimeUnit.MILLISECONDS.toNanos(5 + i);
            long start = System.nanoTime();
            this.scheduler.schedule(() -> {
                if (System.nanoTime() - start < delay) {
                    early.incrementAndGet();
                }
                ran.countDown();
            }, delay, TimeUnit.NANOSECONDS);
        }
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(early).hasValue(0);
    }

    @Test
    void aDisposedTaskNeverRunsAndLeavesTheWheel() {
        AtomicInteger runs = new AtomicInteger();
        Disposable task = this.scheduler.schedule(runs::incrementAndGet, 20, TimeUnit.MILLISECONDS);
        task.dispose();
        assertThat(task.isDisposed()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> this.scheduler.pendingTasks() == 0);
        // a task due after the disposed one's time has run: the disposed one would have run by then
        awaitTaskDueAfter(Duration.ofMillis(40));
        assertThat(runs).hasValue(0);
    }

    @Test
    void theClockIsMonotonicNanoTime() {
        long before = System.nanoTime();
        long now = this.scheduler.now(TimeUnit.NANOSECONDS);
        assertThat(now).isBetween(before, System.nanoTime());
    }

    @Test
    void onceDisposedItRejectsTasks() {
        this.scheduler.dispose();
        assertThat(this.scheduler.isDisposed()).isTrue();
        assertThatThrownBy(() -> this.scheduler.schedule(() -> { }, 1, TimeUnit.MILLISECONDS))
            .isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void aWorkerRunsItsTasksOneAtATimeInOrderAndCancelsThemWhenDisposed() {
        Scheduler.Worker worker = this.scheduler.createWorker();
        StringBuffer order = new StringBuffer();
        AtomicLong overlapping = new AtomicLong();
        AtomicInteger running = new AtomicInteger();
        for (int i = 0; i < 5; i++) {
            String name = Integer.toString(i);
            worker.schedule(() -> {
                if (running.incrementAndGet() > 1) {
                    overlapping.incrementAndGet();
                }
                order.append(name);
                running.decrementAndGet();
            }, 2, TimeUnit.MILLISECONDS);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> order.length() == 5);
        assertThat(overlapping).hasValue(0);
        AtomicInteger late = new AtomicInteger();
        worker.schedule(late::incrementAndGet, 50, TimeUnit.MILLISECONDS);
        worker.dispose();
        assertThat(worker.isDisposed()).isTrue();
        assertThatThrownBy(() -> worker.schedule(() -> { }, 1, TimeUnit.MILLISECONDS))
            .isInstanceOf(RejectedExecutionException.class);
        awaitTaskDueAfter(Duration.ofMillis(100));
        assertThat(late).hasValue(0);
    }

    @Test
    void theSharedSchedulerOutlivesDispose() {
        HashedWheelScheduler shared = HashedWheelScheduler.shared();
        shared.dispose();
        assertThat(shared.isDisposed()).isFalse();
        assertThat(HashedWheelScheduler.shared()).isSameAs(shared);
    }

    @Test
    void aTickMustBePositive() {
        assertThatIllegalArgumentException().isThrownBy(() -> HashedWheelScheduler.create(Duration.ZERO))
            .withMessage("Invalid tick (PT0S): must be positive");
    }

    /** Waits until a task scheduled on the wheel now, due after {@code delay}, has run. */
    private void awaitTaskDueAfter(Duration delay) {
        java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
        this.scheduler.schedule(() -> ran.set(true), delay.toNanos(), TimeUnit.NANOSECONDS);
        await().atMost(Duration.ofSeconds(5)).untilTrue(ran);
    }
}
