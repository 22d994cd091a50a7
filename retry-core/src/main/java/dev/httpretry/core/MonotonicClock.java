package dev.httpretry.core;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that reads {@link System#nanoTime()}: it never jumps when the wall clock is set, so a
 * retry budget's window measures real intervals. Its epoch is arbitrary: use it for intervals
 * only, never as a date (it is not for {@code Retry-After} HTTP-dates). Thread-safe.
 */
public final class MonotonicClock extends Clock {

    /** The clock. */
    public static final MonotonicClock INSTANCE = new MonotonicClock();

    private MonotonicClock() {
    }

    @Override
    public long millis() {
        return Math.floorDiv(System.nanoTime(), 1_000_000L);
    }

    @Override
    public Instant instant() {
        long nanos = System.nanoTime();
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /**
     * Not supported: the clock's epoch is arbitrary, so a zone would give it no meaning.
     * @throws UnsupportedOperationException always
     */
    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("A monotonic clock measures intervals and has no zone");
    }
}
