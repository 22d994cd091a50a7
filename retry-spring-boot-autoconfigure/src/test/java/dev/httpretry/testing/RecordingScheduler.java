package dev.httpretry.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * A virtual-time scheduler that records the delay of every timed task (attempt timeouts and
 * waits), so a test knows a wait has been scheduled before it moves the clock.
 */
public final class RecordingScheduler implements Scheduler {

    public final VirtualTimeScheduler time = VirtualTimeScheduler.create();

    public final List<Duration> delays = new CopyOnWriteArrayList<>();

    @Override
    public Disposable schedule(Runnable task) {
        return this.time.schedule(task);
    }

    @Override
    public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
        this.delays.add(Duration.ofNanos(unit.toNanos(delay)));
        return this.time.schedule(task, delay, unit);
    }

    @Override
    public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
        return this.time.schedulePeriodically(task, initialDelay, period, unit);
    }

    @Override
    public long now(TimeUnit unit) {
        return this.time.now(unit);
    }

    @Override
    public Worker createWorker() {
        return this.time.createWorker();
    }

    @Override
    public void dispose() {
        this.time.dispose();
    }

    public void advance(Duration duration) {
        this.time.advanceTimeBy(duration);
    }
}
