package dev.httpretry.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A token budget over a rolling window, counted in millionths of a retry: a first attempt deposits
 * {@code ratio * 1,000,000}, a retry withdraws 1,000,000, and both expire when they leave the
 * window. A constant reserve of {@code minRetriesPerSecond * window} retries is always added.
 *
 * <p>Deposits (one per call, the hot path) are lock-free; withdrawals (one per retry) check and
 * take under a lock so concurrent retries cannot overdraw.
 */
final class WindowedRetryBudget implements RetryBudget {

    private static final long UNIT = 1_000_000;

    private static final int SLOTS = 10;

    private final long deposit;

    private final long reserve;

    private final long slotMillis;

    private final Clock clock;

    /** The amount in each slot. */
    private final AtomicLongArray amounts = new AtomicLongArray(SLOTS);

    /** The slot index (time / slotMillis) each slot currently counts for. */
    private final AtomicLongArray epochs = new AtomicLongArray(SLOTS);

    WindowedRetryBudget(double ratio, int minRetriesPerSecond, Duration window, Clock clock) {
        if (!(ratio >= 0 && ratio <= 1000)) {
            throw new InvalidSettingException("budget.ratio", String.valueOf(ratio), "must be between 0 and 1000");
        }
        if (minRetriesPerSecond < 0) {
            throw new InvalidSettingException("budget.min-retries-per-second", String.valueOf(minRetriesPerSecond),
                    "must be zero or positive");
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        long windowMillis = window.toMillis();
        this.deposit = Math.round(ratio * UNIT);
        this.reserve = Durations.saturatedMultiply(minRetriesPerSecond, windowMillis * (UNIT / 1000));
        this.slotMillis = Math.max(1, windowMillis / SLOTS);
        long now = currentSlot();
        for (int i = 0; i < SLOTS; i++) {
            epochs.set(i, now - SLOTS);
        }
    }

    @Override
    public void recordFirstAttempt() {
        add(deposit);
    }

    @Override
    public synchronized boolean tryAcquireRetry() {
        if (balance() < UNIT) {
            return false;
        }
        add(-UNIT);
        return true;
    }

    @Override
    public long available() {
        return Math.max(0, balance() / UNIT);
    }

    private long balance() {
        long now = currentSlot();
        long sum = 0;
        for (int i = 0; i < SLOTS; i++) {
            long amount = amounts.get(i);
            if (epochs.get(i) > now - SLOTS) {
                sum += amount;
            }
        }
        return sum + reserve;
    }

    private void add(long amount) {
        long now = currentSlot();
        int slot = (int) Math.floorMod(now, (long) SLOTS);
        while (true) {
            long epoch = epochs.get(slot);
            if (epoch == now) {
                amounts.addAndGet(slot, amount);
                return;
            }
            if (epoch > now) {
                // the clock went back: count it in the slot as it is rather than lose it
                amounts.addAndGet(slot, amount);
                return;
            }
            synchronized (this) {
                if (epochs.get(slot) < now) {
                    amounts.set(slot, 0);
                    epochs.set(slot, now);
                }
            }
        }
    }

    private long currentSlot() {
        return Math.floorDiv(clock.millis(), slotMillis);
    }
}
